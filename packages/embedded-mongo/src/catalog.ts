/**
 * The databases and collections of one store, plus the table of answered retryable writes. All
 * changes go through {@link Catalog.apply} with an {@link Op}, the same function that converts a
 * data directory of the older journal format, so live writes and converted data cannot drift.
 * The collection list and index definitions are small and held in memory (saved in the store's
 * `catalog` record on every change); documents and index entries stay in the store.
 */
import { Document, deserialize, serialize } from 'bson';
import { Collection, CollectionHost, IndexMeta, docIdKey } from './collection';
import { idKey } from './keys';
import { IndexSpec } from './secondary-index';
import { P_META, P_RETRY, RecordDamageError, Store, frame, unframe } from './store';
import { decodeTyped, serializeAny } from './values';

/** One change. Documents are full images, so applying is deterministic. */
export type Op =
  | { o: 'put'; db: string; c: string; d: Document }
  | { o: 'del'; db: string; c: string; id: unknown }
  | { o: 'createIndex'; db: string; c: string; spec: IndexSpec }
  | { o: 'dropIndex'; db: string; c: string; name: string }
  | { o: 'create'; db: string; c: string }
  | { o: 'drop'; db: string; c: string }
  | { o: 'dropDatabase'; db: string };

/** The reply already given to a retryable write, so a retry is answered, not re-applied. */
export interface RetryEntry {
  txnNumber: number;
  reply: Document;
}

const META_KEY = Buffer.from([P_META, ...Buffer.from('catalog')]);

interface StoredMeta {
  nextId: number;
  collections: Array<{ db: string; c: string; id: number; indexes: IndexMeta[] }>;
}

/** All databases of one store; mutated only through {@link Catalog.apply}. */
export class Catalog implements CollectionHost {
  readonly dbs = new Map<string, Map<string, Collection>>();
  private readonly retryCache = new Map<string, RetryEntry>();
  /** Sequence number of the last applied write; snapshots are taken at a sequence number. */
  seq = 0;
  private idCounter = 1;

  constructor(readonly store: Store) {
    const raw = store.get(META_KEY);
    if (raw === undefined) return;
    const body = unframe(META_KEY, raw);
    if (!body) throw new RecordDamageError('the catalog record', 'checksum mismatch');
    const meta = deserialize(body) as StoredMeta;
    this.idCounter = meta.nextId;
    for (const c of meta.collections) {
      this.dbMap(c.db).set(c.c, new Collection(this, c.db, c.c, c.id, c.indexes));
    }
  }

  nextId(): number {
    const id = this.idCounter++;
    this.saveMeta();
    return id;
  }

  saveMeta(): void {
    const meta: StoredMeta = {
      nextId: this.idCounter,
      collections: this.all().map((coll) => ({ db: coll.db, c: coll.name, id: coll.id, indexes: coll.indexMeta() })),
    };
    const body = serialize(meta);
    this.store.put(META_KEY, frame(META_KEY, body));
  }

  get(db: string, c: string): Collection | undefined {
    return this.dbs.get(db)?.get(c);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  all(): Collection[] {
    return [...this.dbs.values()].flatMap((m) => [...m.values()]);
  }

  private dbMap(db: string): Map<string, Collection> {
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    return colls;
  }

  private ensure(db: string, c: string): Collection {
    const colls = this.dbMap(db);
    let coll = colls.get(c);
    if (!coll) {
      coll = new Collection(this, db, c, this.idCounter++);
      colls.set(c, coll);
      this.saveMeta();
    }
    return coll;
  }

  /**
   * Applies one op at sequence `seq`. Validation (unique keys, existence) is the caller's job;
   * apply only fails on programming errors (and a unique index build over duplicates).
   */
  apply(op: Op, seq: number, keepHistory: boolean): void {
    this.seq = Math.max(this.seq, seq);
    switch (op.o) {
      case 'put':
        this.ensure(op.db, op.c).write(docIdKey(op.d), op.d, seq, keepHistory);
        return;
      case 'del':
        this.get(op.db, op.c)?.write(idKey(op.id), undefined, seq, keepHistory);
        return;
      case 'createIndex':
        this.ensure(op.db, op.c).addIndex(op.spec);
        return;
      case 'dropIndex':
        this.get(op.db, op.c)?.dropIndex(op.name);
        return;
      case 'create':
        this.ensure(op.db, op.c);
        return;
      case 'drop': {
        const coll = this.get(op.db, op.c);
        if (!coll) return;
        coll.clear();
        this.dbs.get(op.db)?.delete(op.c);
        this.saveMeta();
        return;
      }
      case 'dropDatabase':
        for (const coll of this.collections(op.db)) coll.clear();
        this.dbs.delete(op.db);
        this.saveMeta();
        return;
    }
  }

  /** The last answered retryable write of a session, if any. */
  retry(sid: string): RetryEntry | undefined {
    const hit = this.retryCache.get(sid);
    if (hit) return hit;
    const key = retryKey(sid);
    const raw = this.store.get(key);
    if (raw === undefined) return undefined;
    const body = unframe(key, raw);
    if (!body) throw new RecordDamageError(`the retryable-write record of session ${sid}`, 'checksum mismatch');
    const entry = decodeTyped(body) as RetryEntry;
    this.retryCache.set(sid, entry);
    return entry;
  }

  noteRetry(sid: string, txnNumber: number, reply: Document): void {
    const entry = { txnNumber, reply };
    this.retryCache.set(sid, entry);
    if (this.retryCache.size > 10_000) this.retryCache.delete(this.retryCache.keys().next().value as string);
    const key = retryKey(sid);
    this.store.put(key, frame(key, serializeAny(entry)));
  }

  /** Every stored retry record (repair and conversion copy them). */
  *retries(): Generator<[string, Buffer]> {
    const start = Buffer.from([P_RETRY]);
    for (const { key, value } of this.store.range({ start, end: Buffer.from([P_RETRY + 1]) }))
      yield [key.subarray(1).toString('utf8'), value];
  }
}

function retryKey(sid: string): Buffer {
  return Buffer.concat([Buffer.from([P_RETRY]), Buffer.from(sid, 'utf8')]);
}
