import type { EquipmentType } from '../../services/orders/types';
import { equipmentIn, fold } from '../../services/vocabulary';

/** Fields of a report that one free-text message may already give. */
export interface Prefill {
  equipmentType?: EquipmentType;
  location?: string;
  inventoryNumber?: string;
  extension?: string;
  description?: string;
}

/** Words that tell a failure report from small talk ("hola", "gracias"). */
const FAILURE_WORDS =
  /\b(no (funciona|sirve|enciende|prende|imprime|graba|conecta|hay|tiene|da)|falla|fallo|descompuest[oa]|error|problema|averia|se (apago|trabo|congelo|cayo)|lent[oa])\b/;

const LOCATION =
  /\b((?:sala|area|oficina|piso|sotano|recepcion|juzgado|cubiculo|modulo|bodega)(?:\s+(?:de\s+)?(?:audiencias?\s+)?(?:no\.?\s*|num\.?\s*|numero\s+)?[0-9a-z]{1,12})?)\b/;
const INVENTORY =
  /\b(?:inventario|inv\.?|no\.? de inventario|numero de inventario)\s*(?:no\.?|num\.?|numero|#|:)?\s*([a-z0-9][a-z0-9-]{2,30})\b/;
const EXTENSION = /\b(?:ext\.?|extension)\s*(?:no\.?|#|:)?\s*([0-9]{1,10})\b/;

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
  if (location?.[1] !== undefined) found.location = clean.slice(location.index, location.index + location[1].length);
  const inventory = INVENTORY.exec(folded);
  if (inventory?.[1] !== undefined) found.inventoryNumber = inventory[1].toUpperCase();
  const extension = EXTENSION.exec(folded);
  if (extension) found.extension = extension[1];
  if (looksLikeReport(clean) && clean.length >= 10) found.description = clean;
  return found;
}
