import { z } from 'zod';
import { directoryId } from '../directory/schema';
import { EQUIPMENT_TYPES } from '../orders/types';

const text = (max: number) => z.string().trim().min(1, 'no puede estar vacío').max(max);

/**
 * Inventory numbers as the judiciary labels its equipment: letters, digits and `-`, `/`,
 * `.`; kept upper-case so «cjf-012345» written by hand finds «CJF-012345».
 */
export const inventoryNumberSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9/._-]{1,49}$/, 'número de inventario inválido (letras, números, -, /, .; de 2 a 50)');

/** One piece of equipment installed in a centre. Strict: an unknown column is an error. */
export const AssetSchema = z.strictObject({
  inventoryNumber: inventoryNumberSchema,
  type: z.enum(EQUIPMENT_TYPES, 'tipo de equipo desconocido'),
  brandModel: text(200),
  serial: text(100).optional(),
  centreId: directoryId,
  /** Where it stands, e.g. «Sala de audiencias 3». */
  location: text(200),
  /** The maintenance contract covering it (directory id). */
  contractId: directoryId.optional(),
  warrantyEnd: z.iso.date('fecha inválida (AAAA-MM-DD)').optional(),
});
export type Asset = z.infer<typeof AssetSchema>;

/** An equipment register file as read (JSON). CSV rows come as the same objects, one per line. */
export const AssetFileSchema = z.strictObject({ assets: z.array(z.unknown()) });

/** The upper-case form every lookup uses. */
export function inventoryKey(value: string): string {
  return value.trim().toUpperCase();
}
