/**
 * Index keying: turns BSON values into strings that are equal exactly when MongoDB considers
 * the values equal for an equality match (1, 1.0 and Long(1) share a key; "1" does not) and
 * that sort in MongoDB's order, so they serve as ordered index keys and as `_id` keys.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { encodeValueKey } from './key-encoding';

/**
 * Stands for an empty array in index keys: MongoDB indexes `[]` under its own key, so an
 * equality on null must not find it.
 */
export const EMPTY_ARRAY: unknown = Object.freeze({ emptyArray: true });

/**
 * The key of one value: its order-preserving encoding (see key-encoding.ts) as a latin1 string.
 * null and missing share a key, as in a MongoDB index; an empty array keys as `[]`.
 */
export function valueKey(value: unknown): string {
  if (value === EMPTY_ARRAY) return EMPTY_ARRAY_KEY;
  return encodeValueKey(value);
}

/** The key of null and of a missing field. */
export const NULL_KEY = encodeValueKey(null);
const EMPTY_ARRAY_KEY = encodeValueKey([]);

/**
 * Values found at a dotted path, descending into arrays like MongoDB does for multikey
 * indexes: an array at the end contributes its elements, an empty or missing value
 * contributes `undefined`.
 */
export function pathValues(doc: unknown, path: string, markEmptyArrays = false): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out, markEmptyArrays);
  if (out.length === 0) out.push(undefined);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[], markEmpty: boolean): void {
  const part = parts[i];
  if (part === undefined) {
    if (!Array.isArray(value)) out.push(value);
    else if (value.length === 0 && markEmpty) out.push(EMPTY_ARRAY);
    else out.push(...value);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, i + 1, out, markEmpty);
    for (const item of value)
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) collect(item, parts, i, out, markEmpty);
    return;
  }
  const next = (value as Document)[part];
  if (next !== undefined) collect(next, parts, i + 1, out, markEmpty);
}

/** True when the path resolves to nothing at all (used by sparse indexes). */
export function isMissing(doc: Document, path: string): boolean {
  return pathValues(doc, path).every((v) => v === undefined);
}

/**
 * All index keys of a document for the given fields, one per element of a multikey array.
 * Throws CannotIndexParallelArrays when two fields are arrays, as MongoDB does.
 */
export function documentKeys(doc: Document, fields: string[]): string[][] {
  let tuples: string[][] = [[]];
  let arrays = 0;
  for (const field of fields) {
    const values = pathValues(doc, field, true);
    if (values.length > 1) arrays += 1;
    if (arrays > 1) {
      throw new CommandError(
        ErrorCodes.CannotIndexParallelArrays,
        `cannot index parallel arrays [${fields.join('] [')}]`,
      );
    }
    const keys = [...new Set(values.map(valueKey))];
    tuples = tuples.flatMap((t) => keys.map((k) => [...t, k]));
  }
  return tuples;
}

/** Key of the `_id` value, used as the primary key of a collection's document map. */
export function idKey(id: unknown): string {
  return valueKey(id);
}
