/** Small predicates shared by the query, update and pipeline code. */
import { Document } from 'bson';

/** True for `{...}` literals (and BSON-decoded documents), false for arrays and bson classes. */
export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A dotted path split once: the containers to walk, then the field itself. */
export interface FieldPath {
  parents: string[];
  leaf: string;
}

export function splitPath(path: string): FieldPath {
  const parents = path.split('.');
  // split always yields at least one part, so the fallback is never taken.
  const leaf = parents.pop() ?? '';
  return { parents, leaf };
}
