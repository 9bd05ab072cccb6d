/** Small predicates shared by the query, update and pipeline code. */
import { Document } from 'bson';

/** True for `{...}` literals (and BSON-decoded documents), false for arrays and bson classes. */
export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
