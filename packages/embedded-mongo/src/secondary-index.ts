/**
 * A secondary index: ordered entries in the store, one per key tuple of a document, keyed by the
 * order-preserving encoding of each field (inverted for a descending field) followed by the
 * document's `_id` key. An equality on a leading subset of the fields is a prefix scan, a range
 * on the next field a bounded scan, and a sort on the fields after an equality prefix a walk in
 * key order. Kept in step with the collection on every write; never stores documents.
 */
import { Document } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { documentKeys, isMissing } from './keys';
import { keyBytes, prefixEnd } from './key-encoding';
import { P_INDEX, RecordDamageError, Store, frame, unframe } from './store';

/** The definition of an index as given to createIndexes and returned by listIndexes. */
export interface IndexSpec {
  name: string;
  key: Document;
  unique?: boolean;
  sparse?: boolean;
}

/**
 * The bounds of a range condition on one field, inclusive, within one type bracket (the first
 * byte of an encoding): `lo`/`hi` are value keys, absent for the bracket's start or end.
 */
export interface RangeBounds {
  type: number;
  lo?: string;
  hi?: string;
  /** Exclusive bounds ($gt/$lt), honoured only when `exact`; otherwise the filter decides. */
  loOpen?: boolean;
  hiOpen?: boolean;
  /** The scan is exactly the condition (dates and ObjectIds: keys are exact and never cut). */
  exact?: boolean;
}

/** Encoded fields longer than this are cut in index keys (LMDB keys are at most 1978 bytes). */
const MAX_FIELD_BYTES = 320;

/** One secondary index; must be updated on every write to its collection (Collection.write does). */
export class SecondaryIndex {
  readonly fields: string[];
  /** Per field: true when descending (its encoding is stored inverted). */
  private readonly desc: boolean[];
  private readonly prefix: Buffer;

  constructor(
    private readonly store: Store,
    readonly spec: IndexSpec,
    readonly id: number,
    /** multikey[i]: some document has several values at field i (ranges and sorts on it are not served). */
    readonly multikey: boolean[],
    /** Told when a field becomes multikey, so the catalog records it. */
    private readonly onMultikey: () => void,
    /** Reads a document by id key, to confirm a unique conflict on cut (long) keys. */
    private readonly docOf: (id: string) => Document | undefined,
  ) {
    this.fields = Object.keys(spec.key);
    this.desc = this.fields.map((f) => Number(spec.key[f]) < 0);
    this.prefix = Buffer.allocUnsafe(5);
    this.prefix[0] = P_INDEX;
    this.prefix.writeUInt32BE(id, 1);
  }

  get name(): string {
    return this.spec.name;
  }

  get key(): Document {
    return this.spec.key;
  }

  /** Direction of field i as stored (1 or -1). */
  direction(i: number): 1 | -1 {
    return this.desc[i] ? -1 : 1;
  }

  /** Key tuples of a document, or none when a sparse index skips it. */
  keysOf(doc: Document): string[][] {
    if (this.spec.sparse && this.fields.every((f) => isMissing(doc, f))) return [];
    return documentKeys(doc, this.fields);
  }

  /** The stored bytes of a tuple's first fields, each cut and inverted as the index stores it. */
  private tupleBytes(tuple: string[]): Buffer {
    const parts: Buffer[] = [this.prefix];
    for (let i = 0; i < tuple.length; i++) parts.push(this.fieldBytes(i, tuple[i]!));
    return Buffer.concat(parts);
  }

  private fieldBytes(i: number, key: string): Buffer {
    const b = keyBytes(key.length > MAX_FIELD_BYTES ? key.slice(0, MAX_FIELD_BYTES) : key);
    if (this.desc[i]) for (let j = 0; j < b.length; j++) b[j] = ~b[j]! & 0xff;
    return b;
  }

  private entryKey(tuple: string[], id: string): Buffer {
    return Buffer.concat([this.tupleBytes(tuple), keyBytes(id)]);
  }

  add(id: string, doc: Document): void {
    this.addTuples(id, this.keysOf(doc));
  }

  remove(id: string, doc: Document): void {
    this.replace(id, doc, undefined);
  }

  /** Moves `id` from `old`'s keys to `doc`'s; nothing to do when the indexed fields did not change. */
  replace(id: string, old: Document | undefined, doc: Document | undefined): void {
    const before = old === undefined ? [] : this.keysOf(old);
    const after = doc === undefined ? [] : this.keysOf(doc);
    if (sameTuples(before, after)) return;
    for (const t of before) this.store.remove(this.entryKey(t, id));
    this.addTuples(id, after);
  }

  private addTuples(id: string, tuples: string[][]): void {
    const idBytes = keyBytes(id);
    for (const t of tuples) {
      const key = this.entryKey(t, id);
      this.store.put(key, frame(key, idBytes));
    }
    if (tuples.length > 1) {
      let changed = false;
      for (let i = 0; i < this.fields.length; i++)
        if (!this.multikey[i] && new Set(tuples.map((t) => t[i])).size > 1) {
          this.multikey[i] = true;
          changed = true;
        }
      if (changed) this.onMultikey();
    }
  }

  /** The id key held by one index entry; a damaged entry throws naming the index. */
  private idOf(key: Buffer, value: Buffer): string {
    const body = unframe(key, value);
    if (!body) throw new RecordDamageError(`index ${this.name}`, `entry checksum mismatch`);
    return body.toString('latin1');
  }

  /**
   * Id keys of the entries whose first `tuple.length` fields have exactly these keys, in index
   * order; stops after `limit` (distinct order is not promised for a multikey index).
   */
  lookup(tuple: string[], limit = Infinity): string[] {
    const start = this.tupleBytes(tuple);
    return this.collect(start, prefixEnd(start), limit);
  }

  /**
   * Ids of documents whose first `prefix.length` fields have exactly these keys and whose next
   * field lies within `bounds`, or undefined when that field is multikey (array elements may
   * meet the two bounds separately, which one ordered scan cannot answer).
   */
  range(prefix: string[], bounds: RangeBounds, limit = Infinity): string[] | undefined {
    const i = prefix.length;
    if (i >= this.fields.length || this.multikey[i]) return undefined;
    const { start, end } = this.rangeKeys(prefix, bounds);
    return this.collect(start, end, limit);
  }

  /** Start (inclusive) and end (exclusive) keys of a range on field `prefix.length`. */
  private rangeKeys(prefix: string[], bounds: RangeBounds | undefined): { start: Buffer; end?: Buffer } {
    const head = this.tupleBytes(prefix);
    const i = prefix.length;
    if (!bounds) return { start: head, end: prefixEnd(head) };
    const bracket = Buffer.from([bounds.type]);
    const lo = bounds.lo === undefined ? bracket : keyBytes(bounds.lo.slice(0, MAX_FIELD_BYTES));
    const hi = bounds.hi === undefined ? bracket : keyBytes(bounds.hi.slice(0, MAX_FIELD_BYTES));
    const loOpen = bounds.exact === true && bounds.loOpen === true && bounds.lo !== undefined;
    const hiOpen = bounds.exact === true && bounds.hiOpen === true && bounds.hi !== undefined;
    // An open bound starts after (or ends before) every entry holding exactly that value.
    const from = (b: Buffer, open: boolean): Buffer => (open ? prefixEnd(b)! : b);
    const to = (b: Buffer, open: boolean): Buffer | undefined => (open ? b : prefixEnd(b));
    if (!this.desc[i])
      return { start: from(Buffer.concat([head, lo]), loOpen), end: to(Buffer.concat([head, hi]), hiOpen) };
    const inv = (b: Buffer): Buffer => Buffer.from(b.map((x) => ~x & 0xff));
    return { start: from(Buffer.concat([head, inv(hi)]), hiOpen), end: to(Buffer.concat([head, inv(lo)]), loOpen) };
  }

  /**
   * Id keys in index order (or reversed) of the entries under an equality `prefix`, with the
   * next field within `bounds` when given. Lazy: a sort with a limit reads only what it needs.
   */
  *walk(prefix: string[], bounds: RangeBounds | undefined, reverse: boolean): Generator<string> {
    const { start, end } = this.rangeKeys(prefix, bounds);
    const options = reverse
      ? { start: end ?? Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), end: start, reverse: true }
      : { start, end };
    for (const { key, value } of this.store.range(options)) {
      // A reverse walk starts at `end` itself when an entry equals it; it lies outside.
      if (reverse && end && key.equals(end)) continue;
      yield this.idOf(key, value);
    }
  }

  /**
   * The number of entries under an equality `prefix` (with the next field within `bounds` when
   * given), counted on keys alone; one per document unless a field is multikey.
   */
  countKeys(prefix: string[], bounds?: RangeBounds): number {
    const { start, end } = this.rangeKeys(prefix, bounds);
    let n = 0;
    for (const _ of this.store.keys({ start, end })) n += 1;
    return n;
  }

  private collect(start: Buffer, end: Buffer | undefined, limit: number): string[] {
    const out: string[] = [];
    if (limit <= 0) return out;
    for (const { key, value } of this.store.range({ start, end })) {
      out.push(this.idOf(key, value));
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * For a unique index: the id of another document holding one of `doc`'s keys, if any.
   * Must be called before the write so a violation leaves the collection untouched.
   */
  conflictingId(doc: Document, selfId: string): string | undefined {
    if (!this.spec.unique) return undefined;
    for (const tuple of this.keysOf(doc)) {
      const cut = tuple.some((k) => k.length > MAX_FIELD_BYTES);
      for (const other of this.lookup(tuple)) {
        if (other === selfId) continue;
        if (!cut) return other;
        const theirs = this.docOf(other);
        const mine = tuple.join('\u0000');
        if (theirs && this.keysOf(theirs).some((t) => t.join('\u0000') === mine)) return other;
      }
    }
    return undefined;
  }

  /** Whether a lookup of these field keys is decided by the index alone (no cut keys). */
  exactKeys(keys: string[]): boolean {
    return keys.every((k) => k.length <= MAX_FIELD_BYTES);
  }

  /** Removes every entry of this index. */
  clear(): void {
    this.store.removeRange(this.prefix, prefixEnd(this.prefix)!);
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
