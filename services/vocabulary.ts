import type { EquipmentType } from './orders/types';

/**
 * The words people use with the desk, read the same way whether they come by Teams or by
 * mail: what equipment a text speaks of, and whether an answer says yes or no. One list
 * each, so a chat and a mail saying the same thing are understood alike.
 */

/** Lower-case, no accents, single spaces: «Impresión», «impresion» and «IMPRESION» are one word. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

/**
 * Word stems per equipment type over folded text, checked in this order (the first hit
 * wins): specific equipment before the general «computadora», so «la impresora de mi
 * computadora» is a printer. Common misspellings («inpresora», «conputadora», «telefno»)
 * are listed with the words they stand for.
 */
const EQUIPMENT_WORDS: ReadonlyArray<[EquipmentType, RegExp]> = [
  [
    'printer',
    /\b(impresora|impresoras|inpresora|impresra|impresion|imprecion|imprime|imprimir|imprimo|multifuncional|escaner|scanner|toner)\b/,
  ],
  [
    'audio_video',
    /\b(grabacion|grabar|graba|grabadora|audiencia|audiencias|video|videograbacion|camara|microfono|microfonos|audio|bocina|bocinas|pantalla de sala|proyector)\b/,
  ],
  ['telephony', /\b(telefono|telefonos|telefno|telefonia|extension no|conmutador|llamadas?|auricular|no da tono)\b/],
  ['network', /\b(red|internet|wifi|wi-fi|wi fi|conexion|conectividad|cable de red|switch|vpn|navegar)\b/],
  [
    'computer',
    /\b(computadora|computador|conputadora|compu|equipo de computo|pc|laptop|monitor|teclado|mouse|raton|cpu|windows|outlook|correo|no enciende|no prende)\b/,
  ],
];

/** The equipment type a text speaks of, if any. */
export function equipmentIn(text: string): EquipmentType | undefined {
  const folded = fold(text);
  return EQUIPMENT_WORDS.find(([, words]) => words.test(folded))?.[0];
}

/** A first guess for a report that must have a type (a mail): the analyst corrects it. */
export function guessEquipment(text: string): EquipmentType {
  return equipmentIn(text) ?? 'other';
}

/** Words a person may pick an equipment type by, beside its label (a dialog's choice synonyms). */
export const EQUIPMENT_SYNONYMS: Readonly<Record<EquipmentType, readonly string[]>> = {
  computer: ['computadora', 'cómputo', 'computo', 'pc', 'laptop', 'equipo', 'compu'],
  printer: ['impresora', 'escáner', 'escaner', 'multifuncional'],
  audio_video: ['grabación', 'grabacion', 'video', 'audiencias', 'cámara', 'camara', 'audio'],
  network: ['red', 'internet', 'wifi'],
  telephony: ['teléfono', 'telefono', 'telefonía', 'telefonia'],
  other: ['otro', 'otra'],
};

/** «no» first: «no, sigue fallando» and «todavía no» must never read as a yes. */
const NO =
  /^(no+\b|nop\b|nel\b|negativo|claro que no|todavia no|aun no|sigue (sin|fallando|igual|con|mal)|persiste|continua (la falla|fallando|igual|sin)|para nada)/;
const YES =
  /^(si+\b|sip\b|simon\b|claro|ok\b|okay\b|okey\b|oki\b|vale\b|afirmativo|por supuesto|asi es|confirmo|confirmado|correcto|de acuerdo|listo|esta bien|quedo resuelt[oa]|ya (funciona|quedo|esta|sirve|jala)|funciona (bien|correctamente)|todo bien|resuelto)/;

/** The first non-empty line, folded, without the opening marks («¡Sí!», «"Ok"»). */
function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ? fold(line).replace(/^[¡!¿"'“«\s]+/, '') : '';
}

/**
 * Whether an answer says yes or no, from its first line: «Sí, quedó resuelto», «claro»,
 * «ok» → yes; «No», «todavía no», «sigue fallando» → no; anything else → undefined (not
 * an answer: a mail reply is then a comment). Accents, case and opening marks are ignored.
 */
export function yesOrNo(text: string): 'yes' | 'no' | undefined {
  const line = firstLine(text);
  if (!line) return undefined;
  if (NO.test(line)) return 'no';
  if (YES.test(line)) return 'yes';
  return undefined;
}

/** «confirmar»/«confirmo» or a yes: the answer to «¿Lo confirmo?». */
export function confirms(text: string): boolean {
  return /^confirm(ar|o|ado)\b/.test(firstLine(text)) || yesOrNo(text) === 'yes';
}

/** A confirmation and nothing else («sí», «Confirmar.»): safe to read as a repeat of one already answered. */
export function onlyConfirms(text: string): boolean {
  const line = firstLine(text).replace(/[.!]+$/, '');
  return line.split(' ').length <= 2 && confirms(line) && !/\d/.test(line);
}

/** «no sé», «ninguno», «n/a»: the person does not know or has none. */
export function saysNone(text: string): boolean {
  return /^(no se|nose|no lo se|no|ninguno|ninguna|ninguno de estos|n\/a|na|sin numero|no tengo|no tiene|desconozco|-)\.?$/.test(
    fold(text).trim(),
  );
}
