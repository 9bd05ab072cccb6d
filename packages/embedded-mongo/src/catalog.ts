/**
 * The whole data set in memory: databases → collections, plus the table of answered retryable
 * writes. All changes go through {@link Catalog.apply} with a journal {@link Op}, the same
 * function that replays the journal at startup, so live state and recovered state cannot drift.
 */
import { Document } from 'bson';
import { Collection, docIdKey } from './collection';
import { idKey } from './keys';
import { IndexSpec } from './secondary-index';

/** One logged change. Documents are full images, so replay is deterministic. */
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

/** All databases in memory; mutated only through {@link Catalog.apply} so replay and live writes agree. */
export class Catalog {
  readonly dbs = new Map<string, Map<string, Collection>>();
  readonly retries = new Map<string, RetryEntry>();
  /** Sequence number of the last applied write; snapshots are taken at a sequence number. */
  seq = 0;

  get(db: string, c: string): Collection | undefined {
    return this.dbs.get(db)?.get(c);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  all(): Collection[] {
    return [...this.dbs.values()].flatMap((m) => [...m.values()]);
  }

  private ensure(db: string, c: string): Collection {
    let colls = this.dbs.get(db);
    if (!colls) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    let coll = colls.get(c);
    if (!coll) {
      coll = new Collection(db, c);
      colls.set(c, coll);
    }
    return coll;
  }

  /**
   * Applies one op at sequence `seq`. Validation (unique keys, existence) is the caller's job;
   * apply only fails on programming errors.
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
      case 'drop':
        this.dbs.get(op.db)?.delete(op.c);
        return;
      case 'dropDatabase':
        this.dbs.delete(op.db);
        return;
    }
  }

  /** Replays one journal record (as written by the engine) during recovery. */
  replay(record: Document): void {
    const seq = this.seq + 1;
    for (const op of (record.ops ?? []) as Op[]) this.apply(op, seq, false);
    if (record.retry) this.noteRetry(record.retry.sid, record.retry.txnNumber, record.retry.reply);
  }

  noteRetry(sid: string, txnNumber: number, reply: Document): void {
    this.retries.set(sid, { txnNumber, reply });
  }
}
