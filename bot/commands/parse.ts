import { equipmentIn, fold } from '../../services/vocabulary';
import type { EquipmentType, Priority } from '../../services/orders/types';
import type { Level } from '../../services/priority/matrix';

/** What a message asks for, when it is a command. Everything else may start a report. */
export type Command =
  | { kind: 'help' }
  | { kind: 'status'; folio: string | null }
  | { kind: 'my_reports' }
  | { kind: 'queue' }
  /** `reporte mes` (this month) or `reporte AAAA-MM`: the SLA headline figures, for analysts. */
  | { kind: 'sla_report'; month: string | 'current' }
  | { kind: 'assigned' }
  | { kind: 'report' }
  | { kind: 'phone_report' }
  | { kind: 'cancel' }
  /** `prioridad OS-… <crítica|alta|media|baja> <motivo>` or `prioridad OS-… impacto <n> urgencia <n> <motivo>`. */
  | { kind: 'set_priority'; folio: string | null; change: PriorityChange | null; reason: string }
  /** `corregir OS-… <campo> <valor> <motivo>`; a value of several words goes in quotes. */
  | { kind: 'correct_facts'; folio: string | null; correction: FactCorrection | null; reason: string }
  /** `agregar <folio> <texto>`: the requester adds to their open order; `text` as they wrote it. */
  | { kind: 'add'; folio: string | null; text: string };

export type PriorityChange = { priority: Priority } | { impact: Level; urgency: Level };

export type FactCorrection =
  | { field: 'equipmentType'; value: EquipmentType }
  | { field: 'location' | 'inventoryNumber' | 'centreId' | 'addendum'; value: string };

export const FOLIO_PATTERN = /^OS-\d{4}-\d{6}$/;

/** Recognises the commands of `ayuda`; accents, case and extra spaces do not matter. */
export function parseCommand(text: string): Command | null {
  const words = fold(text).trim().split(/\s+/).filter(Boolean);
  const phrase = words.join(' ');
  switch (words[0]) {
    case 'ayuda':
    case 'help':
    case '?':
      return words.length === 1 ? { kind: 'help' } : null;
    case 'estado': {
      const folio = (words[1] ?? '').toUpperCase();
      return { kind: 'status', folio: FOLIO_PATTERN.test(folio) ? folio : null };
    }
    case 'agregar': {
      const match = /^\s*\S+\s+(\S+)\s*([\s\S]*)$/.exec(text);
      const folio = (match?.[1] ?? '').toUpperCase();
      return { kind: 'add', folio: FOLIO_PATTERN.test(folio) ? folio : null, text: (match?.[2] ?? '').trim() };
    }
    case 'cancelar':
    case 'salir':
      return words.length <= 2 ? { kind: 'cancel' } : null;
    default:
      break;
  }
  if ((words[0] === 'prioridad' || words[0] === 'corregir') && /^os-\d{4}-\d{6}$/.test(words[1] ?? ''))
    return words[0] === 'prioridad' ? parsePriority(text) : parseCorrection(text);
  const month = /^reporte (mes|\d{4}-\d{2})$/.exec(phrase);
  if (month) return { kind: 'sla_report', month: month[1] === 'mes' ? 'current' : month[1]! };
  if (/^mis (reportes|ordenes)$/.test(phrase)) return { kind: 'my_reports' };
  if (/^(pendientes|cola|ordenes nuevas|nuevas)$/.test(phrase)) return { kind: 'queue' };
  if (/^(mis asignadas|asignadas|mis ordenes asignadas)$/.test(phrase)) return { kind: 'assigned' };
  if (/^(reporte telefonico|reporte por telefono|registrar llamada)$/.test(phrase)) return { kind: 'phone_report' };
  if (/^(reportar|reportar falla|nuevo reporte|reporte|levantar reporte)$/.test(phrase)) return { kind: 'report' };
  return null;
}

const PRIORITY_WORDS: Record<string, Priority> = {
  critica: 'critical',
  critico: 'critical',
  urgente: 'critical',
  alta: 'high',
  alto: 'high',
  media: 'medium',
  medio: 'medium',
  normal: 'medium',
  baja: 'low',
  bajo: 'low',
};
const LEVEL_WORDS: Record<string, Level> = {
  alto: 'high',
  alta: 'high',
  medio: 'medium',
  media: 'medium',
  bajo: 'low',
  baja: 'low',
};

/** The words after the command, as typed (for values and reasons) and folded (for matching). */
function tokens(text: string): { raw: string[]; folded: string[]; folio: string | null } {
  const raw = text.trim().split(/\s+/).filter(Boolean);
  const folio = (raw[1] ?? '').toUpperCase();
  return { raw: raw.slice(2), folded: raw.slice(2).map(fold), folio: FOLIO_PATTERN.test(folio) ? folio : null };
}

function parsePriority(text: string): Command {
  const { raw, folded, folio } = tokens(text);
  const outright = PRIORITY_WORDS[folded[0] ?? ''];
  if (outright) return { kind: 'set_priority', folio, change: { priority: outright }, reason: raw.slice(1).join(' ') };
  const impact = folded[0] === 'impacto' ? LEVEL_WORDS[folded[1] ?? ''] : undefined;
  const urgency = folded[2] === 'urgencia' ? LEVEL_WORDS[folded[3] ?? ''] : undefined;
  if (impact && urgency)
    return { kind: 'set_priority', folio, change: { impact, urgency }, reason: raw.slice(4).join(' ') };
  return { kind: 'set_priority', folio, change: null, reason: '' };
}

const FIELD_NAMES: Record<string, FactCorrection['field']> = {
  equipo: 'equipmentType',
  tipo: 'equipmentType',
  ubicacion: 'location',
  lugar: 'location',
  inventario: 'inventoryNumber',
  centro: 'centreId',
  sede: 'centreId',
  descripcion: 'addendum',
  adicion: 'addendum',
  nota: 'addendum',
};

const OPENING_QUOTES = new Set(['"', '«', '“', "'"]);
const CLOSING_OF: Record<string, string> = { '"': '"', '«': '»', '“': '”', "'": "'" };

/** The value after the field name: one word, or words in quotes; then the rest is the reason. */
function valueAndRest(raw: string[]): { value: string; rest: string[] } | null {
  const first = raw[0];
  if (!first) return null;
  const open = first[0]!;
  if (!OPENING_QUOTES.has(open)) return { value: first, rest: raw.slice(1) };
  const joined = raw.join(' ');
  const close = joined.indexOf(CLOSING_OF[open]!, 1);
  if (close < 0) return null;
  const value = joined.slice(1, close).trim();
  const rest = joined.slice(close + 1).trim();
  return value ? { value, rest: rest ? rest.split(/\s+/) : [] } : null;
}

function parseCorrection(text: string): Command {
  const { raw, folded, folio } = tokens(text);
  const field = FIELD_NAMES[folded[0] ?? ''];
  const found = field ? valueAndRest(raw.slice(1)) : null;
  if (!field || !found) return { kind: 'correct_facts', folio, correction: null, reason: '' };
  const reason = found.rest.join(' ');
  if (field !== 'equipmentType')
    return { kind: 'correct_facts', folio, correction: { field, value: found.value }, reason };
  const type = equipmentIn(found.value);
  return { kind: 'correct_facts', folio, correction: type ? { field, value: type } : null, reason };
}
