/**
 * MongoDB's `$type` (query and aggregation) answered from the typed document, because mingo's
 * view turns whole doubles, int64 and decimals into plain numbers and names bson classes its
 * own way ("objectid", "binary"). Aliases and numeric codes follow
 * https://www.mongodb.com/docs/manual/reference/operator/query/type/.
 */
import { Document } from 'bson';
import { isPlainObject } from './matcher-util';

/** The MongoDB type alias of a value in typed form. */
export function bsonTypeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'string':
      return 'string';
    case 'bigint':
      return 'long';
    case 'number':
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const tag = (v as { _bsontype?: string })._bsontype;
  if (tag) return BSON_CLASS_NAMES[tag] ?? tag.toLowerCase();
  return 'object';
}

const BSON_CLASS_NAMES: Record<string, string> = {
  ObjectId: 'objectId',
  Binary: 'binData',
  Double: 'double',
  Int32: 'int',
  Long: 'long',
  Decimal128: 'decimal',
  Timestamp: 'timestamp',
  BSONRegExp: 'regex',
  MinKey: 'minKey',
  MaxKey: 'maxKey',
  Code: 'javascript',
  BSONSymbol: 'symbol',
  DBRef: 'dbPointer',
};

const CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  13: 'javascript',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};
const NUMBER_TYPES = new Set(['int', 'long', 'double', 'decimal']);

/** True when `v`'s type is the requested alias or code ('number' covers all numeric types). */
export function typeMatches(v: unknown, wanted: unknown): boolean {
  const name = typeof wanted === 'number' ? CODES[wanted] : String(wanted);
  const actual = bsonTypeName(v);
  return actual === name || (name === 'number' && NUMBER_TYPES.has(actual));
}

/** Reads a dotted path without flattening arrays (what `$type: '$a.b'` evaluates). */
export function readTypedPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) {
      const values = cur
        .map((item) => (isPlainObject(item) ? (item as Document)[part] : undefined))
        .filter((x) => x !== undefined);
      cur = values;
      continue;
    }
    if (!isPlainObject(cur)) return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}

/** Query `$type`: an array field matches 'array' or when any element has the type. */
export function fieldHasType(value: unknown, wanted: unknown): boolean {
  const wants = Array.isArray(wanted) ? wanted : [wanted];
  if (value === undefined) return false;
  if (wants.some((w) => typeMatches(value, w))) return true;
  return Array.isArray(value) && value.some((item) => wants.some((w) => typeMatches(item, w)));
}
