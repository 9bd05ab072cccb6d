import type { EquipmentType } from '../../services/orders/types';

/** Fields of a report that one free-text message may already give. */
export interface Prefill {
  equipmentType?: EquipmentType;
  location?: string;
  inventoryNumber?: string;
  extension?: string;
  description?: string;
}

/** Lower-case, no accents: "Impresión" and "impresion" match the same words. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Word stems per equipment type, checked in this order (the first hit wins). */
const EQUIPMENT_WORDS: ReadonlyArray<[EquipmentType, RegExp]> = [
  ['printer', /\b(impresora|impresion|imprime|imprimir|multifuncional|escaner|toner)\b/],
  [
    'audio_video',
    /\b(grabacion|grabar|graba|audiencia|video|camara|microfono|audio|bocina|pantalla de sala|proyector)\b/,
  ],
  ['telephony', /\b(telefono|telefonia|extension no|conmutador|llamadas?|auricular)\b/],
  ['network', /\b(red|internet|wifi|wi-fi|conexion|cable de red|switch|vpn|navegar)\b/],
  [
    'computer',
    /\b(computadora|computador|equipo de computo|pc|laptop|monitor|teclado|mouse|raton|cpu|windows|no enciende|no prende)\b/,
  ],
];

/** Words that tell a failure report from small talk ("hola", "gracias"). */
const FAILURE_WORDS =
  /\b(no (funciona|sirve|enciende|prende|imprime|graba|conecta|hay|tiene|da)|falla|fallo|descompuest[oa]|error|problema|averia|se (apago|trabo|congelo|cayo)|lent[oa])\b/;

const LOCATION =
  /\b((?:sala|area|oficina|piso|sotano|recepcion|juzgado|cubiculo|modulo|bodega)(?:\s+(?:de\s+)?(?:audiencias?\s+)?(?:no\.?\s*|num\.?\s*|numero\s+)?[0-9a-z]{1,12})?)\b/;
const INVENTORY =
  /\b(?:inventario|inv\.?|no\.? de inventario|numero de inventario)\s*(?:no\.?|num\.?|numero|#|:)?\s*([a-z0-9][a-z0-9-]{2,30})\b/;
const EXTENSION = /\b(?:ext\.?|extension)\s*(?:no\.?|#|:)?\s*([0-9]{1,10})\b/;

/** The equipment type a text speaks of, if any. */
export function equipmentIn(text: string): EquipmentType | undefined {
  const folded = fold(text);
  return EQUIPMENT_WORDS.find(([, words]) => words.test(folded))?.[0];
}

/** True when the text reads like the report of a failure (not a greeting or a command). */
export function looksLikeReport(text: string): boolean {
  const folded = fold(text);
  return FAILURE_WORDS.test(folded) || (equipmentIn(text) !== undefined && folded.split(/\s+/).length >= 3);
}

/**
 * Reads what a free-text message already says: "la impresora de la sala 3 no imprime" gives
 * the equipment (printer), the location ("sala 3") and the description (the whole text).
 * Locations are returned as the person wrote them (original case and accents).
 */
export function prefillFrom(text: string): Prefill {
  const clean = text.normalize('NFC').replace(/\s+/g, ' ').trim();
  const folded = fold(clean);
  const found: Prefill = {};
  const equipment = equipmentIn(clean);
  if (equipment) found.equipmentType = equipment;
  const location = LOCATION.exec(folded);
  if (location) found.location = clean.slice(location.index, location.index + location[1].length);
  const inventory = INVENTORY.exec(folded);
  if (inventory) found.inventoryNumber = inventory[1].toUpperCase();
  const extension = EXTENSION.exec(folded);
  if (extension) found.extension = extension[1];
  if (looksLikeReport(clean) && clean.length >= 10) found.description = clean;
  return found;
}
