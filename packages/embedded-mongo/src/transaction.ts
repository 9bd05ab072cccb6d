/**
 * Multi-document transactions with snapshot isolation. A transaction reads the catalog as of
 * its start sequence (older versions come from the collections' history) overlaid with its own
 * writes, buffers its writes, and commits them as one journal record after checking that no
 * document it wrote was changed by anyone else since its snapshot (first committer wins).
 */
import { Document } from 'bson';
import { Catalog, Op } from './catalog';
import { CommandError, ErrorCodes } from './errors';

export type TxnState = 'active' | 'committed' | 'aborted';

/** The error that makes the driver's withTransaction retry the whole transaction. */
export function writeConflict(): CommandError {
  return new CommandError(
    ErrorCodes.WriteConflict,
    'WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.',
    {},
    ['TransientTransactionError'],
  );
}

/** One multi-document transaction: its snapshot sequence and buffered writes. */
export class Transaction {
  /** Buffered final images by namespace then id key; null marks a deletion. */
  readonly writes = new Map<string, Map<string, { db: string; c: string; doc: Document | null; id: unknown }>>();
  state: TxnState = 'active';
  readonly startedAt = Date.now();
  /** When a command of this transaction last ran (idle transactions expire, see Engine). */
  lastActive = Date.now();

  constructor(
    readonly sessionId: string,
    readonly txnNumber: number,
    readonly snapshot: number,
  ) {}

  overlay(
    db: string,
    c: string,
  ): Map<string, { db: string; c: string; doc: Document | null; id: unknown }> | undefined {
    return this.writes.get(`${db}.${c}`);
  }

  record(db: string, c: string, id: string, idValue: unknown, doc: Document | null): void {
    const ns = `${db}.${c}`;
    let m = this.writes.get(ns);
    if (!m) {
      m = new Map();
      this.writes.set(ns, m);
    }
    m.set(id, { db, c, doc, id: idValue });
  }

  /**
   * Validates against current committed state and returns the ops to apply atomically.
   * Throws WriteConflict when another writer got there first.
   */
  prepareCommit(catalog: Catalog): Op[] {
    const ops: Op[] = [];
    for (const m of this.writes.values()) {
      for (const [id, w] of m) {
        const coll = catalog.get(w.db, w.c);
        if (coll?.changedSince(id, this.snapshot)) throw writeConflict();
        if (w.doc && coll) uniqueOrConflict(() => coll.checkUnique(w.doc as Document, id, (other) => m.has(other)));
        ops.push(w.doc ? { o: 'put', db: w.db, c: w.c, d: w.doc } : { o: 'del', db: w.db, c: w.c, id: w.id });
      }
    }
    return ops;
  }
}

/** A unique violation that appears only at commit was caused by a concurrent writer. */
function uniqueOrConflict(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof CommandError && err.code === ErrorCodes.DuplicateKey) throw writeConflict();
    throw err;
  }
}
