/**
 * Engine state shared by all connections: the catalog, durable storage, sessions with their
 * transactions and retryable-write answers, and open cursors. Commands run synchronously on
 * the event loop, so each command is atomic with respect to every other.
 */
import { Document, Long } from 'bson';
import { Catalog, Op } from './catalog';
import { Storage } from './storage';
import { Transaction } from './transaction';
import { CommandError, ErrorCodes } from './errors';

/**
 * A cursor's remaining results: `docs` from `pos`, then whatever `more` yields (a find outside
 * a transaction reads its documents as batches are asked for; other results are materialised
 * when the cursor is created).
 */
export interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  more?: Iterator<Document>;
  lastUsed: number;
}

/**
 * Idle cursors die after 10 minutes (mongod's default). A transaction is aborted after 60
 * seconds without a command: one whose client keeps working (a long replaceAll under load) is
 * never cut, while one whose client vanished cannot hold locks and old versions for long.
 */
const CURSOR_IDLE_MS = 10 * 60 * 1000;
const TRANSACTION_IDLE_MS = 60 * 1000;

/** Per logical session: the highest txnNumber seen and the transaction it opened, if any. */
export interface SessionState {
  txnNumber: number;
  txn?: Transaction;
}

/** Process-wide engine state; everything runs on the event loop, never concurrently. */
export class Engine {
  readonly sessions = new Map<string, SessionState>();
  readonly cursors = new Map<number, OpenCursor>();
  /** Documents written by an open transaction: `ns id` → the owner, for early conflicts. */
  readonly locks = new Map<string, Transaction>();
  readonly activeTxns = new Set<Transaction>();
  private nextCursorId = 1;
  private nextConnectionId = 1;

  constructor(
    readonly catalog: Catalog,
    readonly storage: Storage,
  ) {}

  /** History is needed only while some transaction reads an older snapshot. */
  get keepHistory(): boolean {
    return this.activeTxns.size > 0;
  }

  connectionId(): number {
    return this.nextConnectionId++;
  }

  /**
   * Records the reply of a retryable write in the same store transaction as its changes, so a
   * retry after a crash is answered, not re-applied.
   */
  noteRetry(retry: { sid: string; txnNumber: number; reply: Document } | undefined): void {
    if (retry) this.catalog.noteRetry(retry.sid, retry.txnNumber, retry.reply);
  }

  /** Registers a cursor over the rest of `docs` and returns its id (0 when exhausted). */
  openCursor(ns: string, docs: Document[], pos: number, more?: Iterator<Document>): Long {
    if (pos >= docs.length && !more) return Long.ZERO;
    const now = Date.now();
    for (const [cid, c] of this.cursors) if (now - c.lastUsed > CURSOR_IDLE_MS) this.cursors.delete(cid);
    const id = this.nextCursorId++;
    this.cursors.set(id, { ns, docs, pos, more, lastUsed: now });
    return Long.fromNumber(id);
  }

  /** Aborts transactions idle for longer than TRANSACTION_IDLE_MS (see there). */
  expireTransactions(now = Date.now()): void {
    for (const txn of [...this.activeTxns]) {
      if (now - txn.lastActive > TRANSACTION_IDLE_MS) this.endTransaction(txn, 'aborted');
    }
  }

  beginTransaction(sid: string, txnNumber: number): Transaction {
    const txn = new Transaction(sid, txnNumber, this.catalog.seq);
    this.activeTxns.add(txn);
    return txn;
  }

  /** Applies a transaction's writes atomically (one store transaction, see Dispatcher). */
  commitTransaction(txn: Transaction): void {
    if (txn.state === 'committed') return;
    if (txn.state === 'aborted') throw noSuchTransaction(txn.txnNumber);
    let ops: Op[];
    try {
      ops = txn.prepareCommit(this.catalog);
    } catch (err) {
      this.endTransaction(txn, 'aborted');
      throw err;
    }
    const seq = this.catalog.seq + 1;
    this.endTransaction(txn, 'committed');
    this.storage.store.write(() => {
      for (const op of ops) this.catalog.apply(op, seq, this.keepHistory);
    });
  }

  /** Discards a transaction's writes and releases what it held. */
  endTransaction(txn: Transaction, state: 'committed' | 'aborted'): void {
    txn.state = state;
    this.activeTxns.delete(txn);
    for (const [key, owner] of this.locks) if (owner === txn) this.locks.delete(key);
    let oldest: number | undefined;
    for (const t of this.activeTxns) oldest = oldest === undefined ? t.snapshot : Math.min(oldest, t.snapshot);
    for (const coll of this.catalog.all()) if (coll.history.size > 0) coll.pruneHistory(oldest);
  }

  /** Aborts open transactions and closes the store. */
  close(): Promise<void> {
    for (const txn of [...this.activeTxns]) this.endTransaction(txn, 'aborted');
    return this.storage.close();
  }
}

/** NoSuchTransaction (251) with the label that makes withTransaction start over. */
export function noSuchTransaction(txnNumber: number): CommandError {
  return new CommandError(
    ErrorCodes.NoSuchTransaction,
    `Transaction with txnNumber ${txnNumber} has been aborted or does not exist.`,
    {},
    ['TransientTransactionError'],
  );
}
