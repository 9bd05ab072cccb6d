/**
 * What one command sees and changes: a read view of each collection (live, or a transaction's
 * snapshot plus its own writes) and write primitives that validate before changing anything.
 * Live writes are applied at once and collected as ops for one journal record per command.
 */
import { Document, calculateObjectSize } from 'bson';
import { CommandError, ErrorCodes } from './errors';
import { Engine } from './engine';
import { Op } from './catalog';
import { Collection, docIdKey } from './collection';
import { Transaction, writeConflict } from './transaction';
import { compileFilter } from './matcher';
import { sortDocuments } from './compare';
import { countByIndex, plan, sortPlan } from './planner';
import { idKey } from './keys';
import { duplicateKeyError } from './secondary-index';
import { viewOf } from './values';
import { isPlainObject } from './matcher-util';

/** A document in its typed form and its mingo view. */
export interface Entry {
  doc: Document;
  view: Document;
}

/** One command's view and write primitives; must not outlive the command (its ops are journaled once). */
export class OpContext {
  /** Ops applied by this command, to be journaled before the reply. */
  readonly ops: Op[] = [];
  private seq = 0;

  constructor(
    readonly engine: Engine,
    readonly db: string,
    readonly txn?: Transaction,
  ) {}

  collection(c: string): Collection | undefined {
    return this.engine.catalog.get(this.db, c);
  }

  /** Documents of `c` matching `filter`, in natural order, using an index when it can. */
  find(c: string, filter: Document | undefined, fields?: ReadonlySet<string>): Document[] {
    return this.entries(c, filter, fields).map((e) => e.doc);
  }

  /** The number of documents of `c` matching `filter`, from the indexes when they can tell. */
  count(c: string, filter: Document | undefined): number {
    const coll = this.collection(c);
    if (!this.txn && coll) {
      const n = countByIndex(coll, filter);
      if (n !== undefined) return n;
    }
    return this.entries(c, filter).length;
  }

  /**
   * Like {@link find}, with each document's mingo view alongside. With `fields`, documents may
   * hold only those top-level fields (the caller needs no others; see {@link fieldsNeeded}).
   */
  entries(c: string, filter: Document | undefined, fields?: ReadonlySet<string>): Entry[] {
    const coll = this.collection(c);
    if (this.txn) return this.entriesInTxn(coll, c, filter);
    return [...this.iterate(c, filter, fields)];
  }

  /**
   * Outside transactions: the matching documents one at a time, read from the store as the
   * caller pulls them (a cursor reads a batch at a time).
   */
  *iterate(c: string, filter: Document | undefined, fields?: ReadonlySet<string>): Generator<Entry> {
    const coll = this.collection(c);
    if (!coll) return;
    const p = filter ? plan(coll, filter) : { exact: true, ids: undefined };
    if (p.ids && p.exact) {
      for (const id of p.ids) {
        const e = coll.get(id, !fields, fields);
        if (e) yield e;
      }
      return;
    }
    const test = compileFilter(filter);
    if (p.ids) {
      for (const id of p.ids) {
        const e = coll.get(id, false, fields);
        if (e && test(e.view)) yield e;
      }
      return;
    }
    for (const [, e] of coll.entries(fields)) if (test(e.view)) yield e;
  }

  /**
   * Documents of `c` matching `filter` in `sort` order, skipping `skip` and stopping after
   * `limit` (0: no limit), when an index walk can produce that order (see planner.sortPlan);
   * undefined otherwise, and inside transactions (which read their snapshot).
   */
  findSorted(
    c: string,
    filter: Document | undefined,
    sort: Document,
    skip: number,
    limit: number,
  ): Entry[] | undefined {
    if (this.txn) return undefined;
    const coll = this.collection(c);
    if (!coll) return undefined;
    // Candidates are tested (and sorted) on the fields the filter and the sort read; only the
    // documents returned are decoded whole.
    const probe = new Set<string>(['_id']);
    for (const key of Object.keys(sort)) probe.add(key.split('.')[0]!);
    const partial = !filter || filterFields(filter, probe) ? probe : undefined;
    const test = compileFilter(filter);
    const walk = sortPlan(coll, filter ?? {}, sort);
    if (!walk) {
      // Few candidates (or no ordered index): sort the candidates in memory.
      if (!partial) return undefined;
      const p = filter ? plan(coll, filter) : { exact: false, ids: undefined };
      const matched: Array<{ id: string; doc: Document }> = [];
      const consider = (id: string, e: Entry | undefined): void => {
        if (e && (p.exact || test(e.view))) matched.push({ id, doc: e.doc });
      };
      if (p.ids) for (const id of p.ids) consider(id, coll.get(id, false, partial));
      else for (const [id, e] of coll.entries(partial)) consider(id, e);
      const ids = new Map(matched.map((m) => [m.doc, m.id]));
      let docs = sortDocuments(
        matched.map((m) => m.doc),
        sort,
      ).slice(skip);
      if (limit > 0) docs = docs.slice(0, limit);
      const out: Entry[] = [];
      for (const d of docs) {
        const e = coll.get(ids.get(d)!, false);
        if (e) out.push(e);
      }
      return out;
    }
    const out: Entry[] = [];
    let skipped = 0;
    for (const id of walk) {
      const probed = partial ? coll.get(id, false, partial) : coll.get(id, false);
      if (!probed || !test(probed.view)) continue;
      if (skipped < skip) {
        skipped += 1;
        continue;
      }
      const e = partial ? coll.get(id, false) : probed;
      if (e) out.push(e);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }

  private entriesInTxn(coll: Collection | undefined, c: string, filter: Document | undefined): Entry[] {
    const txn = this.txn as Transaction;
    const overlay = txn.overlay(this.db, c);
    const ids = new Set<string>();
    if (coll) {
      const p = filter ? plan(coll, filter) : { exact: true, ids: undefined };
      for (const id of p.ids ?? coll.ids()) ids.add(id);
      for (const id of coll.history.keys()) ids.add(id);
    }
    for (const id of overlay?.keys() ?? []) ids.add(id);
    const test = compileFilter(filter);
    const out: Entry[] = [];
    for (const id of ids) {
      const doc = this.get(c, id);
      if (!doc) continue;
      const view = viewOf(doc);
      if (test(view)) out.push({ doc, view });
    }
    return out;
  }

  /** The document with id key `id` as this command sees it. */
  get(c: string, id: string): Document | undefined {
    const coll = this.collection(c);
    if (!this.txn) return coll?.get(id)?.doc;
    const w = this.txn.overlay(this.db, c)?.get(id);
    if (w) return w.doc ?? undefined;
    return coll?.versionAt(id, this.txn.snapshot)?.doc;
  }

  /** Inserts a new document; an existing `_id` is a duplicate key error on the `_id_` index. */
  insert(c: string, doc: Document): void {
    if (this.get(c, docIdKey(doc)) !== undefined) throw duplicateKeyError(`${this.db}.${c}`, ID_INDEX_KEY, doc);
    this.put(c, doc);
  }

  /**
   * Inserts or replaces `doc` (a fresh object the caller will not mutate again). Checks unique
   * indexes first, so a violation changes nothing.
   */
  put(c: string, doc: Document): void {
    const id = docIdKey(doc);
    const size = calculateObjectSize(doc);
    if (size > MAX_BSON_SIZE)
      throw new CommandError(
        ErrorCodes.BadValue,
        `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`,
      );
    if (this.txn) return this.putInTxn(c, id, doc);
    const coll = this.collection(c);
    coll?.checkUnique(doc, id);
    this.applyLive({ o: 'put', db: this.db, c, d: doc });
  }

  remove(c: string, idValue: unknown): void {
    const id = idKey(idValue);
    if (this.txn) {
      this.claim(c, id);
      this.txn.record(this.db, c, id, idValue, null);
      return;
    }
    this.applyLive({ o: 'del', db: this.db, c, id: idValue });
  }

  /** Applies a catalog op outside transactions (DDL and live writes). */
  applyLive(op: Op): void {
    if (this.seq === 0) this.seq = this.engine.catalog.seq + 1;
    this.engine.catalog.apply(op, this.seq, this.engine.keepHistory);
    this.ops.push(op);
  }

  private putInTxn(c: string, id: string, doc: Document): void {
    const txn = this.txn as Transaction;
    this.claim(c, id);
    const coll = this.collection(c);
    for (const index of coll?.indexes.values() ?? []) {
      if (!index.spec.unique) continue;
      const mine = index.keysOf(doc).map((t) => t.join('\u0000'));
      const candidates = new Set<string>();
      for (const t of index.keysOf(doc)) for (const other of index.lookup(t)) candidates.add(other);
      for (const other of coll?.history.keys() ?? []) candidates.add(other);
      for (const other of txn.overlay(this.db, c)?.keys() ?? []) candidates.add(other);
      for (const other of candidates) {
        if (other === id) continue;
        const d = this.get(c, other);
        if (d && index.keysOf(d).some((t) => mine.includes(t.join('\u0000')))) {
          throw duplicateKeyError(`${this.db}.${c}`, index, doc);
        }
      }
    }
    txn.record(this.db, c, id, doc._id, doc);
  }

  /** A transaction may write a document only if nobody else changed or holds it. */
  private claim(c: string, id: string): void {
    const txn = this.txn as Transaction;
    const key = `${this.db}.${c} ${id}`;
    const owner = this.engine.locks.get(key);
    if ((owner && owner !== txn) || this.collection(c)?.changedSince(id, txn.snapshot)) throw writeConflict();
    this.engine.locks.set(key, txn);
  }
}

const MAX_BSON_SIZE = 16 * 1024 * 1024;

const LOGICAL = new Set(['$and', '$or', '$nor']);

/** Adds the top-level fields a filter reads to `out`; false when it may read any field. */
function filterFields(filter: Document, out: Set<string>): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (LOGICAL.has(key)) {
      if (!Array.isArray(cond)) return false;
      for (const part of cond) if (!isPlainObject(part) || !filterFields(part, out)) return false;
    } else if (key.charCodeAt(0) === 36) return false;
    else out.add(key.split('.')[0]!);
  }
  return true;
}

/**
 * The top-level fields a find needs decoded — those its inclusion projection keeps, its filter
 * reads and its sort orders by — or undefined when it needs whole documents (no projection, an
 * exclusion, operators, or a filter that may read any field).
 */
export function fieldsNeeded(
  projection: Document | undefined,
  filter: Document | undefined,
  sort: Document | undefined,
): Set<string> | undefined {
  if (!isPlainObject(projection) || Object.keys(projection).length === 0) return undefined;
  const out = new Set<string>(['_id']);
  // `{_id: 0}` alone excludes: it keeps every other field.
  if (!Object.entries(projection).some(([k, v]) => k !== '_id' && (v === 1 || v === true))) return undefined;
  for (const [key, v] of Object.entries(projection)) {
    if (key.charCodeAt(0) === 36 || key.includes('$')) return undefined;
    if (!(v === 1 || v === true) && !(key === '_id' && (v === 0 || v === false))) return undefined;
    out.add(key.split('.')[0]!);
  }
  if (filter && !filterFields(filter, out)) return undefined;
  for (const key of Object.keys(sort ?? {})) out.add(key.split('.')[0]!);
  return out;
}
const ID_INDEX_KEY = { name: '_id_', key: { _id: 1 }, fields: ['_id'] };
