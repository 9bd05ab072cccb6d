/**
 * A secondary index: hash maps from key tuples to document ids, one map per key prefix so an
 * equality on any leading subset of the fields is a single map lookup. Kept in step with the
 * collection on every write; never stores documents, only their id keys.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { compoundKey, documentKeys, isMissing } from './keys';

/** The definition of an index as given to createIndexes and returned by listIndexes. */
export interface IndexSpec {
  name: string;
  key: Document;
  unique?: boolean;
  sparse?: boolean;
}

type Bucket = string | Set<string>;

/** The bounds of a range condition on one field, all Dates or all numbers (see `rangeOf`). */
export interface RangeBounds {
  kind: 'd' | 'n';
  lo?: { value: number; inclusive: boolean };
  hi?: { value: number; inclusive: boolean };
}

/**
 * Ids of the entries whose value at one field is a Date (or a number), sorted by that value
 * and then by id, so a range is two binary searches and a slice however many entries hold
 * the same value (a burst of notices due at one instant).
 */
class SortedIds {
  readonly values: number[] = [];
  readonly ids: string[] = [];

  static of(value: number, id: string): SortedIds {
    const sorted = new SortedIds();
    sorted.add(value, id);
    return sorted;
  }

  /** First position whose (value, id) is not before (value, id). */
  private position(value: number, id: string): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.values[mid]!;
      if (v < value || (v === value && this.ids[mid]! < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(value: number, id: string): void {
    const at = this.position(value, id);
    this.values.splice(at, 0, value);
    this.ids.splice(at, 0, id);
  }

  remove(value: number, id: string): void {
    const at = this.position(value, id);
    if (this.values[at] === value && this.ids[at] === id) {
      this.values.splice(at, 1);
      this.ids.splice(at, 1);
    }
  }

  /** First position whose value is above `value` (`strict`) or not below it. */
  private bound(value: number, strict: boolean): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.values[mid]!;
      if (v < value || (strict && v === value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  between(bounds: RangeBounds): string[] {
    const from = bounds.lo ? this.bound(bounds.lo.value, !bounds.lo.inclusive) : 0;
    const to = bounds.hi ? this.bound(bounds.hi.value, bounds.hi.inclusive) : this.values.length;
    return from < to ? this.ids.slice(from, to) : [];
  }
}

/**
 * The sortable number of an index key, when it has an exact one: Dates by their time, numbers
 * that are safe to compare as doubles. Other numeric keys (a Long beyond 2^53, NaN) are kept
 * aside and offered to every range, which the filter then decides.
 */
function sortable(key: string): { kind: 'd' | 'n'; value: number } | 'loose' | undefined {
  const kind = key.charCodeAt(0);
  if (kind !== 100 && kind !== 110) return undefined; // 'd', 'n'
  const value = Number(key.slice(1));
  if (Number.isNaN(value) || (kind === 110 && Number.isInteger(value) && !Number.isSafeInteger(value))) return 'loose';
  return { kind: kind === 100 ? 'd' : 'n', value };
}

/** One secondary index; must be updated on every write to its collection (Collection.write does). */
export class SecondaryIndex {
  readonly fields: string[];
  /** prefixMaps[i] maps the key of the first i+1 fields to the ids of documents having it. */
  private readonly prefixMaps: Map<string, Bucket>[];
  /**
   * ordered[i] maps the key of the first i fields (`''` for none) and a kind (`d`ates or
   * `n`umbers) to the entries whose field i holds such a value, in its order; `loose` holds
   * the numeric entries with no exact order (see `sortable`).
   */
  private readonly ordered: Map<string, SortedIds>[];
  private readonly loose: Map<string, Bucket>[];
  /** multikey[i]: some document has several values at field i (a range on it is then not served). */
  private readonly multikey: boolean[];

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.prefixMaps = this.fields.map(() => new Map());
    this.ordered = this.fields.map(() => new Map());
    this.loose = this.fields.map(() => new Map());
    this.multikey = this.fields.map(() => false);
  }

  get name(): string {
    return this.spec.name;
  }

  get key(): Document {
    return this.spec.key;
  }

  /** Key tuples of a document, or none when a sparse index skips it. */
  keysOf(doc: Document): string[][] {
    if (this.spec.sparse && this.fields.every((f) => isMissing(doc, f))) return [];
    return documentKeys(doc, this.fields);
  }

  add(id: string, doc: Document): void {
    this.addTuples(id, this.keysOf(doc));
  }

  remove(id: string, doc: Document): void {
    this.removeTuples(id, this.keysOf(doc));
  }

  /** Moves `id` from `old`'s keys to `doc`'s; nothing to do when the indexed fields did not change. */
  replace(id: string, old: Document | undefined, doc: Document | undefined): void {
    const before = old === undefined ? [] : this.keysOf(old);
    const after = doc === undefined ? [] : this.keysOf(doc);
    if (sameTuples(before, after)) return;
    this.removeTuples(id, before);
    this.addTuples(id, after);
  }

  private addTuples(id: string, tuples: string[][]): void {
    for (const tuple of tuples) this.indexTuple(id, tuple, true);
    if (tuples.length > 1) {
      for (let i = 0; i < this.fields.length; i++)
        if (new Set(tuples.map((t) => t[i])).size > 1) this.multikey[i] = true;
    }
  }

  private removeTuples(id: string, tuples: string[][]): void {
    for (const tuple of tuples) this.indexTuple(id, tuple, false);
  }

  /** Adds or removes one key tuple at every level: the equality maps and the ordered values. */
  private indexTuple(id: string, tuple: string[], add: boolean): void {
    const change = add ? addTo : removeFrom;
    let prefix = '';
    for (let i = 0; i < tuple.length; i++) {
      const key = compoundKey(tuple.slice(0, i + 1));
      change(this.prefixMaps[i]!, key, id);
      // Field i in order, under the key of the fields before it (the previous level's key).
      const order = sortable(tuple[i]!);
      if (order === 'loose') change(this.loose[i]!, prefix, id);
      else if (order) this.changeOrdered(i, `${order.kind}${prefix}`, order.value, id, add);
      prefix = key;
    }
  }

  private changeOrdered(i: number, slot: string, value: number, id: string, add: boolean): void {
    const sorted = this.ordered[i]!.get(slot);
    if (add) {
      if (sorted) sorted.add(value, id);
      else this.ordered[i]!.set(slot, SortedIds.of(value, id));
      return;
    }
    if (!sorted) return;
    sorted.remove(value, id);
    if (sorted.ids.length === 0) this.ordered[i]!.delete(slot);
  }

  /**
   * Ids of documents whose first `prefix.length` fields have exactly these keys and whose next
   * field lies within `bounds`, or undefined when that field is multikey (array elements may
   * meet the two bounds separately, which one ordered lookup cannot answer).
   */
  range(prefix: string[], bounds: RangeBounds): string[] | undefined {
    const i = prefix.length;
    // A numeric key may stand for a nearby Decimal128: inclusive bounds keep every candidate.
    if (bounds.kind === 'n')
      bounds = {
        kind: 'n',
        lo: bounds.lo && { ...bounds.lo, inclusive: true },
        hi: bounds.hi && { ...bounds.hi, inclusive: true },
      };
    if (i >= this.fields.length || this.multikey[i]) return undefined;
    const key = prefixKey(prefix, i);
    const ids = this.ordered[i]!.get(`${bounds.kind}${key}`)?.between(bounds) ?? [];
    const loose = bounds.kind === 'n' ? this.loose[i]!.get(key) : undefined;
    if (loose !== undefined) ids.push(...(typeof loose === 'string' ? [loose] : loose));
    return ids;
  }

  /** Ids of documents whose first `tuple.length` fields have exactly these keys (an array or a Set). */
  lookup(tuple: string[]): Iterable<string> {
    const bucket = this.prefixMaps[tuple.length - 1].get(compoundKey(tuple));
    if (bucket === undefined) return [];
    return typeof bucket === 'string' ? [bucket] : bucket;
  }

  /**
   * For a unique index: the id of another document holding one of `doc`'s keys, if any.
   * Must be called before the write so a violation leaves the collection untouched.
   */
  conflictingId(doc: Document, selfId: string): string | undefined {
    if (!this.spec.unique) return undefined;
    for (const tuple of this.keysOf(doc)) {
      for (const other of this.lookup(tuple)) if (other !== selfId) return other;
    }
    return undefined;
  }
}

function sameTuples(a: string[][], b: string[][]): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) {
    const x = a[t]!;
    const y = b[t]!;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** The key of a tuple's first `n` fields, `''` for none. */
function prefixKey(tuple: string[], n: number): string {
  return n === 0 ? '' : compoundKey(tuple.slice(0, n));
}

function addTo(map: Map<string, Bucket>, key: string, id: string): void {
  const bucket = map.get(key);
  if (bucket === undefined) map.set(key, id);
  else if (typeof bucket === 'string') {
    if (bucket !== id) map.set(key, new Set([bucket, id]));
  } else bucket.add(id);
}

function removeFrom(map: Map<string, Bucket>, key: string, id: string): void {
  const bucket = map.get(key);
  if (bucket === undefined) return;
  if (typeof bucket === 'string') {
    if (bucket === id) map.delete(key);
    return;
  }
  bucket.delete(id);
  if (bucket.size === 1) map.set(key, bucket.values().next().value as string);
}

/** The error MongoDB reports for a unique index violation, with keyPattern and keyValue. */
export function duplicateKeyError(
  ns: string,
  index: { name: string; key: Document; fields: string[] },
  doc: Document,
): CommandError {
  const keyValue: Document = {};
  for (const f of index.fields) keyValue[f] = readPath(doc, f) ?? null;
  const shown = index.fields.map((f) => `${f}: ${JSON.stringify(keyValue[f])}`).join(', ');
  return new CommandError(
    ErrorCodes.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${index.name} dup key: { ${shown} }`,
    { keyPattern: { ...index.key }, keyValue },
  );
}

function readPath(doc: Document, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}
