/**
 * One collection: its documents by `_id` key in the store plus its secondary indexes. Documents
 * are read from the store when asked for (a few recently read ones are kept decoded), never all
 * held in memory. A decoded document is never mutated in place (writers build a new object),
 * which lets transaction snapshots keep references to superseded versions instead of copying them.
 */
import { Document } from 'bson';
import { idKey } from './keys';
import { IndexSpec, SecondaryIndex, duplicateKeyError } from './secondary-index';
import { CommandError, ErrorCodes } from './errors';
import { decodeTyped, decodeTypedFields, serializeAny, viewOf } from './values';
import { keyBytes, prefixEnd } from './key-encoding';
import { P_DOC, RecordDamageError, Store, frame, unframe } from './store';

/** A document with its mingo view. */
export interface StoredDoc {
  /** The document with its exact BSON types, as returned to clients. */
  doc: Document;
  /** The same document as mingo sees it (numbers unwrapped); often the same object. */
  view: Document;
}

/** A superseded version: valid for snapshots taken before `until`. */
interface PastVersion {
  until: number;
  entry: StoredDoc | undefined;
}

/** The `_id_` index every collection has; it is the document map itself and cannot be dropped. */
export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

/** Decoded documents kept per collection for repeated point reads. */
const CACHE_SIZE = 512;
/** `_id` keys longer than this cannot be stored (LMDB keys are at most 1978 bytes). */
const MAX_ID_BYTES = 1024;

/** A stored index definition with its numeric id and multikey flags. */
export interface IndexMeta {
  spec: IndexSpec;
  id: number;
  multikey: boolean[];
}

/** What a collection needs from the catalog that owns it. */
export interface CollectionHost {
  store: Store;
  /** A fresh numeric id for a new index. */
  nextId(): number;
  /** Records a change of the collection's definition (indexes, multikey flags). */
  saveMeta(): void;
}

/** Documents of one namespace with their indexes; see the file comment for the no-mutation rule. */
export class Collection {
  readonly indexes = new Map<string, SecondaryIndex>();
  /** Past versions by id key, kept only while transactions may need them. */
  readonly history = new Map<string, PastVersion[]>();
  /** Sequence number of the last write of each id, kept only while transactions may need them. */
  private readonly written = new Map<string, number>();
  private readonly cache = new Map<string, StoredDoc>();
  private readonly prefix: Buffer;
  private count: number | undefined;

  constructor(
    private readonly host: CollectionHost,
    readonly db: string,
    readonly name: string,
    readonly id: number,
    indexes: IndexMeta[] = [],
  ) {
    this.prefix = Buffer.allocUnsafe(5);
    this.prefix[0] = P_DOC;
    this.prefix.writeUInt32BE(id, 1);
    for (const m of indexes) this.indexes.set(m.spec.name, this.makeIndex(m));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  private get store(): Store {
    return this.host.store;
  }

  private makeIndex(m: IndexMeta): SecondaryIndex {
    return new SecondaryIndex(
      this.store,
      m.spec,
      m.id,
      m.multikey,
      () => this.host.saveMeta(),
      (id) => this.get(id)?.doc,
    );
  }

  /** Index definitions as the catalog stores them. */
  indexMeta(): IndexMeta[] {
    return [...this.indexes.values()].map((i) => ({ spec: i.spec, id: i.id, multikey: i.multikey }));
  }

  /** Index specs in listIndexes order, `_id_` first. */
  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  private docKey(id: string): Buffer {
    if (id.length > MAX_ID_BYTES)
      throw new CommandError(ErrorCodes.BadValue, `_id is too large to store (${id.length} bytes encoded)`);
    const key = Buffer.allocUnsafe(5 + id.length);
    this.prefix.copy(key, 0);
    key.write(id, 5, 'latin1');
    return key;
  }

  /**
   * Decodes one stored record (only the top-level `fields` when given), failing loudly
   * (collection and _id) when its checksum fails.
   */
  private decode(key: Buffer, value: Buffer, fields?: ReadonlySet<string>): StoredDoc {
    const body = unframe(key, value);
    if (!body) {
      const id = key.subarray(5).toString('latin1');
      throw new RecordDamageError(`document ${describeId(id)} in ${this.ns}`, 'checksum mismatch');
    }
    let doc: Document;
    try {
      doc = fields ? decodeTypedFields(body, fields) : decodeTyped(body);
    } catch (err) {
      throw new RecordDamageError(
        `document ${describeId(key.subarray(5).toString('latin1'))} in ${this.ns}`,
        (err as Error).message,
      );
    }
    return { doc, view: viewOf(doc) };
  }

  /**
   * The current version of `id`, read from the store (or the small cache of recent reads);
   * `remember` false for scans, so a walk over many documents does not evict the hot ones.
   */
  get(id: string, remember = true, fields?: ReadonlySet<string>): StoredDoc | undefined {
    // A caller asking for some fields gets exactly those (it may skip projecting them).
    const hit = fields ? undefined : this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const key = this.docKey(id);
    // A partial decode copies the fields it keeps into a buffer of its own.
    const value = fields ? this.store.getFast(key) : this.store.get(key);
    if (value === undefined) return undefined;
    const entry = this.decode(key, value, fields);
    // A partial document must never be served to a reader that needs the whole one.
    if (remember && !fields) this.remember(id, entry);
    return entry;
  }

  private remember(id: string, entry: StoredDoc): void {
    this.cache.set(id, entry);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
  }

  has(id: string): boolean {
    return this.cache.has(id) || this.store.getFast(this.docKey(id)) !== undefined;
  }

  /** Number of documents (counted once from the store, then kept up to date). */
  size(): number {
    if (this.count === undefined) {
      let n = 0;
      for (const _ of this.store.keys({ start: this.prefix, end: prefixEnd(this.prefix) })) n += 1;
      this.count = n;
    }
    return this.count;
  }

  /** Every id key, in `_id` order (or reversed). */
  *ids(reverse = false): Generator<string> {
    const end = prefixEnd(this.prefix);
    const range = reverse ? { start: end, end: this.prefix, reverse: true } : { start: this.prefix, end };
    for (const key of this.store.keys(range)) {
      if (reverse && end && key.equals(end)) continue;
      yield key.subarray(5).toString('latin1');
    }
  }

  /** Every document, in `_id` order, decoded one at a time (only `fields` when given). */
  *entries(fields?: ReadonlySet<string>): Generator<[string, StoredDoc]> {
    for (const { key, value } of this.store.range({ start: this.prefix, end: prefixEnd(this.prefix) })) {
      const id = key.subarray(5).toString('latin1');
      yield [id, (fields ? undefined : this.cache.get(id)) ?? this.decode(key, value, fields)];
    }
  }

  /** Throws the 11000 error if writing `doc` under `id` would violate a unique index. */
  checkUnique(doc: Document, id: string, except?: (otherId: string) => boolean): void {
    for (const index of this.indexes.values()) {
      const other = index.conflictingId(doc, id);
      if (other !== undefined && !(except?.(other) ?? false)) throw duplicateKeyError(this.ns, index, doc);
    }
  }

  /**
   * Replaces (or removes, with `doc` undefined) the document under `id`, updating every index.
   * Callers validate first; this never fails halfway. With `keepHistory` the old version stays
   * readable for snapshots older than `seq`.
   */
  write(id: string, doc: Document | undefined, seq: number, keepHistory: boolean): void {
    const key = this.docKey(id);
    const old = this.get(id);
    if (keepHistory) {
      const list = this.history.get(id) ?? [];
      list.push({ until: seq, entry: old });
      this.history.set(id, list);
      this.written.set(id, seq);
    }
    for (const index of this.indexes.values()) index.replace(id, old?.doc, doc);
    if (doc === undefined) {
      if (old) {
        this.store.remove(key);
        if (this.count !== undefined) this.count -= 1;
      }
      this.cache.delete(id);
      return;
    }
    this.store.put(key, frame(key, serializeAny(doc)));
    if (!old && this.count !== undefined) this.count += 1;
    this.remember(id, { doc, view: viewOf(doc) });
  }

  /** The version of `id` visible to a snapshot taken at `snapshot`. */
  versionAt(id: string, snapshot: number): StoredDoc | undefined {
    const past = this.history.get(id);
    if (past) {
      for (const v of past) if (v.until > snapshot) return v.entry;
    }
    return this.get(id);
  }

  /** True when `id` was written after `snapshot` (a transaction touching it must abort). */
  changedSince(id: string, snapshot: number): boolean {
    const seq = this.written.get(id);
    if (seq !== undefined && seq > snapshot) return true;
    const past = this.history.get(id);
    return past !== undefined && past.some((v) => v.until > snapshot);
  }

  /** Builds an index over existing documents; fails without leaving entries on duplicates. */
  addIndex(spec: IndexSpec): void {
    const index = this.makeIndex({ spec, id: this.host.nextId(), multikey: Object.keys(spec.key).map(() => false) });
    try {
      for (const [id, { doc }] of this.entries()) {
        if (index.conflictingId(doc, id) !== undefined) throw duplicateKeyError(this.ns, index, doc);
        index.add(id, doc);
      }
    } catch (err) {
      index.clear();
      throw err;
    }
    this.indexes.set(spec.name, index);
    this.host.saveMeta();
  }

  dropIndex(name: string): void {
    const index = this.indexes.get(name);
    if (!index) return;
    index.clear();
    this.indexes.delete(name);
    this.host.saveMeta();
  }

  /** Removes every document and index entry (the collection is being dropped). */
  clear(): void {
    for (const index of this.indexes.values()) index.clear();
    this.store.removeRange(this.prefix, prefixEnd(this.prefix)!);
    this.cache.clear();
    this.count = 0;
  }

  /** Drops history no open snapshot can see any more. */
  pruneHistory(oldestSnapshot: number | undefined): void {
    if (oldestSnapshot === undefined) {
      this.history.clear();
      this.written.clear();
      return;
    }
    for (const [id, list] of this.history) {
      const kept = list.filter((v) => v.until > oldestSnapshot);
      if (kept.length === 0) this.history.delete(id);
      else this.history.set(id, kept);
    }
    for (const [id, seq] of this.written) if (seq <= oldestSnapshot) this.written.delete(id);
  }
}

/** A readable rendering of an `_id` key for error messages. */
function describeId(id: string): string {
  const bytes = keyBytes(id);
  // Strings and ObjectIds, the usual ids, are shown as such; anything else as hex.
  if (bytes[0] === 0x04) return `_id "${bytes.subarray(1, Math.max(1, bytes.length - 2)).toString('utf8')}"`;
  if (bytes[0] === 0x08 && bytes.length === 13) return `_id ObjectId("${bytes.subarray(1).toString('hex')}")`;
  if (bytes[0] === 0x03 && bytes.length === 13) {
    const d = Buffer.from(bytes.subarray(1, 9));
    if (d[0]! & 0x80) d[0] = d[0]! & 0x7f;
    else for (let i = 0; i < 8; i++) d[i] = ~d[i]! & 0xff;
    return `_id ${d.readDoubleBE(0)}`;
  }
  return `_id key 0x${bytes.toString('hex')}`;
}

/** The `_id` key of a document, rejecting array ids as MongoDB does. */
export function docIdKey(doc: Document): string {
  if (Array.isArray(doc._id)) throw new CommandError(53, "The '_id' value cannot be of type array");
  return idKey(doc._id);
}
