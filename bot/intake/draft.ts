import type { AttachmentMeta } from '../../services/orders/types';
import type { EquipmentType } from '../../services/orders/types';

/** Fields the person can correct from the summary card, with the words that name them. */
export const EDITABLE_FIELDS = [
  'equipmentType',
  'centreId',
  'location',
  'inventoryNumber',
  'description',
  'extension',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export const FIELD_TITLES: Record<EditableField, string> = {
  equipmentType: 'Equipo',
  centreId: 'Centro',
  location: 'Ubicación',
  inventoryNumber: 'Inventario',
  description: 'Descripción',
  extension: 'Extensión',
};

/** Words a person may type after «corregir» (accents and case folded). */
export const FIELD_WORDS: ReadonlyArray<[EditableField, RegExp]> = [
  ['equipmentType', /\b(equipo|tipo)\b/],
  ['centreId', /\b(centro|sede)\b/],
  ['location', /\b(ubicacion|sala|area|lugar)\b/],
  ['inventoryNumber', /\b(inventario|numero de inventario)\b/],
  ['description', /\b(descripcion|falla|problema)\b/],
  ['extension', /\b(extension|ext|telefono)\b/],
];

/**
 * The report being captured. It travels as the dialog's options and is stored with the
 * dialog state, so a restart resumes where the person was. `null` means "asked, and the
 * person does not know / has none"; `undefined` means "not asked yet".
 */
export interface IntakeDraft {
  mode: 'self' | 'phone';
  /**
   * The report's idempotency key (the order's future id), minted when the draft starts:
   * every repeat of its confirmation gets the same order.
   */
  orderId?: string;
  /** Directory id of the analyst registering a phone report. */
  actorId?: string;
  requesterId?: string;
  requesterName?: string;
  /**
   * A requester not in the directory: name as Teams gives it (or, on the phone, as the
   * caller says it), email from Teams or asked; `null` when a caller has none.
   */
  unknownRequester?: { name: string; email?: string | null };
  /** Centres offered for choice (the requester's own, or every centre). */
  centreChoices?: Array<{ id: string; name: string }>;
  centreId?: string;
  equipmentType?: EquipmentType;
  location?: string;
  inventoryNumber?: string | null;
  description?: string;
  extension?: string | null;
  /** A phone number to call back on, when one was given instead of an extension. */
  phone?: string;
  /** The folio of the requester's closed order this report follows (too late to reopen it). */
  relatedTo?: string;
  /** Files sent in the chat while the report was being taken (already stored), named on the order at confirm. */
  attachments?: AttachmentMeta[];
}
