import { z } from 'zod';
import { ObjectId } from 'mongodb';
import { AppError } from '../errors';
import { CHANNELS } from '../workflow';
import { directoryId } from '../directory/schema';
import type { PersonSnapshot } from './types';
import type { Person } from '../directory/schema';

/** An order id as carried by cards and links: 24 hex digits (a MongoDB ObjectId). */
export const orderIdSchema = z.string().regex(/^[0-9a-fA-F]{24}$/, 'identificador de orden inválido');

/** What every state-changing use case receives from an edge (bot, mail, API). */
export const TransitionInput = z.strictObject({
  orderId: orderIdSchema,
  /** Directory id of the person acting, resolved by the edge from Teams or the mail sender. */
  actorId: directoryId,
  channel: z.enum(CHANNELS),
  /** The version the card or form was rendered from; a mismatch is a CONFLICT. */
  expectedVersion: z.number().int().min(1).optional(),
  note: z.string().trim().max(2000).optional(),
});
export type TransitionInput = z.infer<typeof TransitionInput>;

/** One file as recorded on an order or a history entry (see AttachmentMeta). */
export const attachmentMetaSchema = z.strictObject({
  fileId: z
    .string()
    .regex(/^[0-9a-f]{24}$/)
    .optional(),
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().max(100),
  size: z.number().int().min(0),
  notStored: z.enum(['too_large', 'too_many']).optional(),
});

/**
 * What an edge that may retry (mail intake) adds to a request: the source's duplicate key,
 * so the same source is applied once, and the files it brought, named on the history entry.
 */
export const SourceFields = z.strictObject({
  sourceId: z.string().min(1).max(500).optional(),
  attachments: z.array(attachmentMetaSchema).max(200).optional(),
});
export type SourceFields = z.infer<typeof SourceFields>;

export const reasonSchema = z.string().trim().min(3, 'el motivo es muy corto').max(2000);
export const longText = z.string().trim().min(3, 'el texto es muy corto').max(5000);

/**
 * Parses use-case input; on failure a VALIDATION error whose user message names each field
 * (`description: …`) so the edge can tell the person exactly what to fix.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || 'entrada'}: ${i.message}`);
  throw new AppError(
    'VALIDATION',
    `invalid input: ${problems.join('; ')}`,
    `Datos inválidos — ${problems.join('; ')}.`,
    {
      fields: result.error.issues.map((i) => i.path.map(String).join('.')),
    },
  );
}

export function toObjectId(hex: string): ObjectId {
  return ObjectId.createFromHexString(hex);
}

/** The part of a directory person an order keeps, so its history reads right after edits. */
export function snapshotOf(person: Person): PersonSnapshot {
  const snap: PersonSnapshot = { personId: person.id, name: person.name, email: person.email };
  if (person.aadObjectId) snap.aadObjectId = person.aadObjectId;
  return snap;
}

/** A copy without `undefined` members, so optional fields are absent in MongoDB rather than null. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
