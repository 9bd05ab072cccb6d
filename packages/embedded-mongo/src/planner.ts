/**
 * Chooses the documents a filter must be tested against: the `_id` map, a secondary index
 * looked up with equality and `$in` conditions on a prefix of its fields, or the union of such
 * lookups over the branches of an `$or`; otherwise the whole collection. A plan is `exact` when
 * the index lookup alone decides the match, so mingo can be skipped on the hot path.
 *
 * Indexes are ordered (see secondary-index.ts): a range on the field after the equality prefix
 * narrows the scan, and a sort on the fields after it can be a walk in index order
 * ({@link sortPlan}). Candidates are always a superset of the matching documents; only `exact`
 * plans skip the filter, and those are limited to plain equalities on top-level fields, where
 * index keys and matching agree.
 */
import { Document, ObjectId } from 'bson';
import { Collection } from './collection';
import { NULL_KEY, valueKey } from './keys';
import { T_DATE, T_NUMBER, T_OBJECTID, T_STRING } from './key-encoding';
import { isPlainObject } from './matcher-util';
import { RangeBounds, SecondaryIndex } from './secondary-index';

export interface Plan {
  /** Candidate id keys, or undefined for a full scan. */
  ids?: Iterable<string>;
  /** True when every candidate is known to match (no further filtering needed). */
  exact: boolean;
}

/** A plan that uses an index, with the number of candidates it yields (an upper bound). */
interface Lookup {
  ids: Iterable<string>;
  size: number;
  exact: boolean;
  /** For an exact lookup of one key range on a non-multikey index: its count from keys alone. */
  count?: () => number;
}

/** Above this many key tuples (a product of `$in` lists) an index is used on a shorter prefix. */
const MAX_TUPLES = 1_000;
/** Candidate counts beyond this are not told apart when choosing an index. */
const ESTIMATE_CAP = 1_000;

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

/**
 * `$in` conditions of a filter whose values are all indexable scalars, as the distinct keys of
 * those values by field path. Other operators next to `$in` on the same field are left to the
 * filter (they only narrow the match).
 */
export function inKeys(filter: Document): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond)
        if (isPlainObject(part)) for (const [f, k] of inKeys(part)) if (!out.has(f)) out.set(f, k);
      continue;
    }
    if (field.charCodeAt(0) === 36 || !isPlainObject(cond) || !Array.isArray(cond.$in)) continue;
    if (!Object.keys(cond).every((op) => op.charCodeAt(0) === 36)) continue;
    const values = cond.$in as unknown[];
    if (values.every(isIndexableScalar)) out.set(field, [...new Set(values.map(valueKey))]);
  }
  return out;
}

const RANGE_OPS: Record<string, 'lo' | 'hi'> = { $gt: 'lo', $gte: 'lo', $lt: 'hi', $lte: 'hi' };

/** The type bracket (first encoded byte) of a range bound a scan can serve, if any. */
function rangeType(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : T_DATE;
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : T_NUMBER;
  if (typeof value === 'string') return T_STRING;
  if (value instanceof ObjectId) return T_OBJECTID;
  const tag = (value as { _bsontype?: string } | null)?._bsontype;
  if (tag === 'Int32' || tag === 'Double' || tag === 'Long' || tag === 'Decimal128') {
    return Number.isNaN(Number(String(value))) ? undefined : T_NUMBER;
  }
  return undefined;
}

/**
 * `$gt`/`$gte`/`$lt`/`$lte` conditions of a filter on dates, numbers, strings or ObjectIds, by
 * field path, as the (inclusive) bounds of an ordered index scan within the value's type bracket,
 * as MongoDB's comparisons only match values of the same type. Other operators beside them only
 * narrow the match and are left to the filter, which always runs on a range's candidates;
 * bounds of different types match nothing and are not planned.
 */
export function rangeKeys(filter: Document): Map<string, RangeBounds> {
  const out = new Map<string, RangeBounds>();
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond)
        if (isPlainObject(part)) for (const [f, r] of rangeKeys(part)) if (!out.has(f)) out.set(f, r);
      continue;
    }
    if (field.charCodeAt(0) === 36 || !isPlainObject(cond)) continue;
    let bounds: RangeBounds | undefined;
    let mixed = false;
    for (const [op, arg] of Object.entries(cond)) {
      const side = RANGE_OPS[op];
      if (!side) continue;
      const type = rangeType(arg);
      if (type === undefined || (bounds && bounds.type !== type)) {
        mixed = true;
        break;
      }
      bounds ??= { type, exact: type === T_DATE || type === T_OBJECTID };
      const key = valueKey(arg);
      const open = op === '$gt' || op === '$lt';
      const current = bounds[side];
      const openSide = side === 'lo' ? 'loOpen' : 'hiOpen';
      // Two bounds on one side (`$gt: 1, $gte: 3`): keep the tighter one.
      if (current === undefined || (side === 'lo' ? key > current : key < current)) {
        bounds[side] = key;
        bounds[openSide] = open;
      } else if (key === current && open) bounds[openSide] = true;
    }
    if (bounds && !mixed) out.set(field, bounds);
  }
  return out;
}

function isIndexableScalar(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
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

/**
 * The number of documents matching `filter` when the indexes alone can tell (an empty filter,
 * or an exact plan from a secondary index), without reading a document; undefined otherwise.
 */
export function countByIndex(coll: Collection, filter: Document | undefined): number | undefined {
  if (!filter || Object.keys(filter).length === 0) return coll.size();
  const eq = equalityKeys(filter);
  if (eq.has('_id') || inKeys(filter).has('_id')) return undefined;
  const estimate = lookup(coll, filter, false);
  if (!estimate || !estimate.exact) return undefined;
  if (estimate.size < ESTIMATE_CAP) return estimate.size;
  if (estimate.count) return estimate.count();
  const found = lookup(coll, filter);
  if (!found || !found.exact) return undefined;
  let n = 0;
  for (const _ of found.ids) n += 1;
  return n;
}

/** Plans a filter against a collection's current indexes. */
export function plan(coll: Collection, filter: Document): Plan {
  const found = lookup(coll, filter);
  return found ? { ids: found.ids, exact: found.exact } : { exact: false };
}

/**
 * The cheapest index plan for a filter, or undefined when it needs a full scan. Without `full`,
 * a plan with ESTIMATE_CAP candidates or more holds only the first ones (an estimate).
 */
function lookup(coll: Collection, filter: Document, full = true): Lookup | undefined {
  const eq = equalityKeys(filter);
  const id = eq.get('_id');
  if (id !== undefined) return { ids: [id], size: 1, exact: onlyEqualities(filter, 1) && eq.size === 1 };
  const ins = inKeys(filter);
  const idIn = ins.get('_id');
  if (idIn !== undefined) {
    const cond = filter._id as Document | undefined;
    const alone = Object.keys(filter).length === 1 && isPlainObject(cond) && Object.keys(cond).length === 1;
    return { ids: idIn, size: idIn.length, exact: alone };
  }
  let best: Lookup | undefined;
  let bestIndex: SecondaryIndex | undefined;
  const ranges = rangeKeys(filter);
  if (eq.size > 0 || ins.size > 0 || ranges.size > 0) {
    // Each index is counted only up to ESTIMATE_CAP entries; the chosen one is then read whole.
    for (const index of coll.indexes.values()) {
      const found = indexLookup(index, filter, eq, ins, ranges, ESTIMATE_CAP);
      if (found && (!best || found.size < best.size || (found.size === best.size && found.exact && !best.exact))) {
        best = found;
        bestIndex = index;
      }
    }
    if (full && best && bestIndex && best.size >= ESTIMATE_CAP)
      best = indexLookup(bestIndex, filter, eq, ins, ranges, Infinity);
  }
  for (const branches of orLists(filter)) {
    if (best && best.size <= 1) break;
    const found = unionLookup(coll, branches, Object.keys(filter).length === 1 && '$or' in filter);
    if (found && (!best || found.size < best.size)) best = found;
  }
  return best;
}

/**
 * Looks `index` up with the equality and `$in` keys of its longest usable field prefix and,
 * when the field after that prefix has a range condition, narrows to that range in the
 * index's order.
 */
function indexLookup(
  index: SecondaryIndex,
  filter: Document,
  eq: Map<string, string>,
  ins: Map<string, string[]>,
  ranges: Map<string, RangeBounds>,
  cap: number,
): Lookup | undefined {
  let tuples: string[][] = [[]];
  let used = 0;
  let plain = true;
  for (const f of index.fields) {
    const k = eq.get(f);
    const keys = k !== undefined ? [k] : ins.get(f);
    // A sparse index has no entry for a document missing all its fields, which null matches.
    if (keys === undefined || (index.spec.sparse && keys.includes(NULL_KEY))) break;
    if (tuples.length * keys.length > MAX_TUPLES) break;
    tuples = tuples.flatMap((t) => keys.map((key) => [...t, key]));
    used += 1;
    // A dotted path agrees with the index unless arrays lie along it (a multikey field).
    if (k === undefined || (f.includes('.') && index.multikey[used - 1]) || !index.exactKeys(keys)) plain = false;
  }
  const bounds = used < index.fields.length ? ranges.get(index.fields[used]!) : undefined;
  if (bounds) {
    const ids = new Set<string>();
    let served = true;
    for (const t of tuples) {
      const found = index.range(t, bounds, cap);
      if (!found) {
        served = false;
        break;
      }
      for (const i of found) ids.add(i);
      if (ids.size >= cap) break;
    }
    // Exact when the filter is the equality prefix and this range, nothing else.
    const rangeField = index.fields[used]!;
    const cond = filter[rangeField] as Document;
    const exact =
      served &&
      bounds.exact === true &&
      plain &&
      tuples.length === 1 &&
      used === eq.size &&
      !rangeField.includes('.') &&
      onlyEqualities(filter, used + 1) &&
      isPlainObject(cond) &&
      Object.keys(cond).every((op) => op in RANGE_OPS);
    if (served)
      return {
        ids,
        size: ids.size,
        exact,
        // Entries are one per document unless a field is multikey.
        count: exact && !index.multikey.some(Boolean) ? () => index.countKeys(tuples[0]!, bounds) : undefined,
      };
  }
  if (used === 0) return undefined;
  const exact = plain && used === eq.size && onlyEqualities(filter, eq.size);
  const ids = new Set<string>();
  for (const t of tuples) {
    for (const i of index.lookup(t, cap)) ids.add(i);
    if (ids.size >= cap) break;
  }
  const single = exact && tuples.length === 1;
  const flat = !index.multikey.some(Boolean);
  return { ids, size: ids.size, exact: single, count: single && flat ? () => index.countKeys(tuples[0]!) : undefined };
}

/**
 * An index walk that yields `_id` keys in the order of `sort`, for a filter whose equality
 * conditions cover the index fields before the sorted ones (a range on the first sorted field
 * narrows the walk), or undefined when no index gives that order or when an index lookup finds
 * few enough candidates to sort them in memory. The walk is lazy: with a limit, only the first
 * matches are read. Multikey and sparse indexes are not walked (their order is not the sort's,
 * or they miss documents).
 */
export function sortPlan(coll: Collection, filter: Document, sort: Document): Iterable<string> | undefined {
  const fields = Object.entries(sort).map(([f, d]) => [f, Number(d) < 0 ? -1 : 1] as const);
  if (fields.length === 0) return undefined;
  const few = lookup(coll, filter, false);
  if (few && few.size < ESTIMATE_CAP) return undefined;
  if (fields.length === 1 && fields[0]![0] === '_id') return coll.ids(fields[0]![1] < 0);
  const eq = equalityKeys(filter);
  const ranges = rangeKeys(filter);
  let best: { index: SecondaryIndex; prefix: string[]; reverse: boolean } | undefined;
  for (const index of coll.indexes.values()) {
    if (index.spec.sparse) continue;
    for (let p = 0; p < index.fields.length; p++) {
      const prefix = index.fields.slice(0, p).map((f) => eq.get(f));
      if (prefix.some((k) => k === undefined)) break;
      // Entries with equal keys follow in `_id` order: a last `_id` field after every index
      // field is served by the walk's direction.
      const last = fields[fields.length - 1]!;
      const tieBreak = last[0] === '_id' && p + fields.length - 1 === index.fields.length;
      const own = tieBreak ? fields.slice(0, -1) : fields;
      if (own.length === 0 || p + own.length > index.fields.length) continue;
      let relation = 0;
      let ok = true;
      for (let j = 0; j < own.length && ok; j++) {
        const [f, d] = own[j]!;
        const at = p + j;
        const r = d * index.direction(at);
        if (index.fields[at] !== f || index.multikey[at] || (relation !== 0 && r !== relation)) ok = false;
        relation = r;
      }
      if (tieBreak && last[1] !== relation) ok = false;
      if (ok && (!best || p > best.prefix.length)) best = { index, prefix: prefix as string[], reverse: relation < 0 };
    }
  }
  if (!best) return undefined;
  const { index, prefix, reverse } = best;
  const bounds = ranges.get(index.fields[prefix.length]!);
  return unique(index.walk(prefix, bounds, reverse));
}

/** Yields each id once (a multikey field after the sorted ones repeats a document). */
function* unique(ids: Iterable<string>): Generator<string> {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    yield id;
  }
}

/** The `$or` lists of a filter: its own and those of its `$and` parts. */
function orLists(filter: Document): unknown[][] {
  const out: unknown[][] = [];
  if (Array.isArray(filter.$or)) out.push(filter.$or);
  if (Array.isArray(filter.$and)) {
    for (const part of filter.$and) if (isPlainObject(part) && Array.isArray(part.$or)) out.push(part.$or);
  }
  return out;
}

/**
 * An `$or` is served by indexes only when every branch is; its candidates are the union of the
 * branches' candidates. It is exact when it is the whole filter and every branch is exact.
 */
function unionLookup(coll: Collection, branches: unknown[], whole: boolean): Lookup | undefined {
  if (branches.length === 0) return undefined;
  const parts: Lookup[] = [];
  for (const branch of branches) {
    if (!isPlainObject(branch)) return undefined;
    const found = lookup(coll, branch);
    if (!found) return undefined;
    parts.push(found);
  }
  const ids = new Set<string>();
  for (const p of parts) for (const i of p.ids) ids.add(i);
  return { ids, size: ids.size, exact: whole && parts.every((p) => p.exact) };
}
