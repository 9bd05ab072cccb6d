import { fold } from '../intake/prefill';

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
  /** `agregar <folio> <texto>`: the requester adds to their open order; `text` as they wrote it. */
  | { kind: 'add'; folio: string | null; text: string };

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
  const month = /^reporte (mes|\d{4}-\d{2})$/.exec(phrase);
  if (month) return { kind: 'sla_report', month: month[1] === 'mes' ? 'current' : month[1]! };
  if (/^mis (reportes|ordenes)$/.test(phrase)) return { kind: 'my_reports' };
  if (/^(pendientes|cola|ordenes nuevas|nuevas)$/.test(phrase)) return { kind: 'queue' };
  if (/^(mis asignadas|asignadas|mis ordenes asignadas)$/.test(phrase)) return { kind: 'assigned' };
  if (/^(reporte telefonico|reporte por telefono|registrar llamada)$/.test(phrase)) return { kind: 'phone_report' };
  if (/^(reportar|reportar falla|nuevo reporte|reporte|levantar reporte)$/.test(phrase)) return { kind: 'report' };
  return null;
}
