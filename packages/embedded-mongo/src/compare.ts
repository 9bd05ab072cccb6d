/**
 * MongoDB's cross-type ordering (https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/),
 * used for sort because mingo orders mixed types differently.
 */
import { Document, ObjectId } from 'bson';
import { pathValues } from './keys';
import { compareNumbers } from './numeric';
import { isPlainObject } from './matcher-util';

function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof ObjectId) return 8;
  if (v instanceof RegExp) return 12;
  const tag = (v as { _bsontype?: string })._bsontype;
  switch (tag) {
    case 'MinKey':
      return 1;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 13;
  }
  return isPlainObject(v) ? 5 : 5;
}

/** Total order over BSON values, consistent with MongoDB for the types the engine stores. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 2:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
    case 9:
      return Number(a) - Number(b);
    case 10:
      return (a as Date).getTime() - (b as Date).getTime();
    case 8:
      return (a as ObjectId).toHexString().localeCompare((b as ObjectId).toHexString());
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 5:
      return compareDocs(a as Document, b as Document);
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareDocs(a: Document, b: Document): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (const [i, x] of ka.entries()) {
    const y = kb[i];
    if (y === undefined) break;
    const c = compareValues(a[x], b[y]);
    if (c !== 0) return c;
    if (x !== y) return x < y ? -1 : 1;
  }
  return ka.length - kb.length;
}

/** The value a document sorts by for one field: arrays sort by their min (asc) or max (desc). */
function sortKey(doc: Document, path: string, dir: number): unknown {
  const values = pathValues(doc, path);
  if (values.length === 1) return values[0];
  let best = values[0];
  for (const v of values) if (compareValues(v, best) * dir < 0) best = v;
  return best;
}

/** Sorts in place by a MongoDB sort specification ({field: 1 | -1, ...}); stable. */
export function sortDocuments(docs: Document[], spec: Document): Document[] {
  const fields = Object.entries(spec).map(([f, d]) => [f, Number(d) < 0 ? -1 : 1] as const);
  const keyed = docs.map((doc) => ({ doc, keys: fields.map(([f, d]) => sortKey(doc, f, d)) }));
  keyed.sort((x, y) => {
    for (const [i, [, dir]] of fields.entries()) {
      const c = compareValues(x.keys[i], y.keys[i]) * dir;
      if (c !== 0) return c;
    }
    return 0;
  });
  return keyed.map((k) => k.doc);
}
