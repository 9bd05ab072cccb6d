/**
 * Chooses the documents a filter must be tested against: the `_id` map or the secondary index
 * with the longest prefix of equality conditions; otherwise the whole collection. A plan is
 * `exact` when the index lookup alone decides the match, so mingo can be skipped on the hot path.
 */
import { Document, ObjectId } from 'bson';
import { Collection } from './collection';
import { valueKey } from './keys';
import { isPlainObject } from './matcher-util';

export interface Plan {
  /** Candidate id keys, or undefined for a full scan. */
  ids?: Iterable<string>;
  /** True when every candidate is known to match (no further filtering needed). */
  exact: boolean;
}

/** Equality conditions of a filter usable as index keys, by field path. */
export function equalityKeys(filter: Document): Map<string, string> {
  const out = new Map<string, string>();
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) for (const [f, k] of equalityKeys(part)) out.set(f, k);
      continue;
    }
    if (field.charCodeAt(0) === 36) continue;
    const value = isPlainObject(cond) && Object.keys(cond).length === 1 && '$eq' in cond ? cond.$eq : cond;
    if (isIndexableScalar(value)) out.set(field, valueKey(value));
  }
  return out;
}

function isIndexableScalar(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean':
      return true;
    case 'object':
      if (value instanceof Date || value instanceof ObjectId) return true;
      return ['Long', 'Int32', 'Double'].includes((value as { _bsontype?: string })._bsontype ?? '');
  }
  return false;
}

/** True when each top-level condition is a plain scalar equality (what `exact` relies on). */
function onlyEqualities(filter: Document, used: number): boolean {
  return Object.keys(filter).length === used && !('$and' in filter);
}

/** Plans a filter against a collection's current indexes. */
export function plan(coll: Collection, filter: Document): Plan {
  const eq = equalityKeys(filter);
  if (eq.size === 0) return planIdIn(filter);
  const id = eq.get('_id');
  if (id !== undefined) return { ids: [id], exact: onlyEqualities(filter, 1) && eq.size === 1 };
  let best: { index: Collection['indexes'] extends Map<string, infer I> ? I : never; tuple: string[] } | undefined;
  for (const index of coll.indexes.values()) {
    const tuple: string[] = [];
    for (const f of index.fields) {
      const k = eq.get(f);
      if (k === undefined || (k === 'z' && index.spec.sparse)) break;
      tuple.push(k);
    }
    if (tuple.length > 0 && (!best || tuple.length > best.tuple.length)) best = { index, tuple };
  }
  if (!best) return planIdIn(filter);
  const covers = best.tuple.length === eq.size && onlyEqualities(filter, eq.size);
  return { ids: best.index.lookup(best.tuple), exact: covers };
}

/** `_id: {$in: [...]}` of scalars becomes a set of point lookups. */
function planIdIn(filter: Document): Plan {
  const cond = filter._id;
  if (isPlainObject(cond) && Object.keys(cond).length === 1 && Array.isArray(cond.$in) && cond.$in.every(isIndexableScalar)) {
    return { ids: [...new Set((cond.$in as unknown[]).map(valueKey))], exact: Object.keys(filter).length === 1 };
  }
  return { exact: false };
}
