/** What a requester's answer to a validation request says. */
export type ValidationAnswer = 'yes' | 'no';

const NO = /^(no\b|todavia no|aun no|sigue (sin|fallando|igual|con)|persiste|continua (la falla|fallando|igual))/;
const YES =
  /^(si\b|ok\b|okay\b|confirmo|correcto|de acuerdo|listo|quedo resuelto|ya (funciona|quedo|esta)|funciona (bien|correctamente)|todo bien|resuelto)/;

/**
 * Reads the first line of a reply's new text: "sí, quedó resuelto", "Si ya funciona",
 * "Confirmo" → yes; "no funciona todavía", "Todavía no", "sigue fallando" → no; anything
 * else → undefined (the reply is a plain comment). Accents and case are ignored.
 */
export function validationAnswer(newText: string): ValidationAnswer | undefined {
  const first = newText
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  if (!first) return undefined;
  const plain = first
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^[¡!¿"'“«\s]+/, '');
  if (NO.test(plain)) return 'no';
  if (YES.test(plain)) return 'yes';
  return undefined;
}

const EQUIPMENT_WORDS: Array<[RegExp, 'printer' | 'computer' | 'audio_video' | 'network' | 'telephony']> = [
  [/impresora|imprime|impresi[oó]n|t[oó]ner|esc[aá]ner/i, 'printer'],
  [/audiencia|grabaci[oó]n|video|c[aá]mara|micr[oó]fono|proyector|audio/i, 'audio_video'],
  [/red\b|internet|wifi|wi-fi|conexi[oó]n|vpn|switch/i, 'network'],
  [/tel[eé]fono|telefon[ií]a|extensi[oó]n|conmutador/i, 'telephony'],
  [/computadora|equipo de c[oó]mputo|laptop|pc\b|monitor|teclado|rat[oó]n|mouse|windows|outlook|correo/i, 'computer'],
];

/** A first guess of the equipment from the words of a report; the analyst corrects it. */
export function guessEquipment(
  text: string,
): 'printer' | 'computer' | 'audio_video' | 'network' | 'telephony' | 'other' {
  for (const [re, type] of EQUIPMENT_WORDS) if (re.test(text)) return type;
  return 'other';
}
