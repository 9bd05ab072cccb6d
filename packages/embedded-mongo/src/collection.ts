/**
 * One collection in memory: documents by `_id` key plus its secondary indexes. Stored documents
 * are never mutated in place (writers build a new object), which lets transaction snapshots keep
 * references to superseded versions instead of copying them.
 */
import { Document } from 'bson';
import { idKey } from './keys';
import { IndexSpec, SecondaryIndex, duplicateKeyError } from './secondary-index';
import { CommandError } from './errors';
import { viewOf } from './values';

/** A document version with the sequence number of the write that produced it. */
export interface StoredDoc {
  /** The document with its exact BSON types, as returned to clients. */
  doc: Document;
  /** The same document as mingo sees it (numbers unwrapped); often the same object. */
  view: Document;
  seq: number;
}

/** A superseded version: valid for snapshots taken before `until`. */
interface PastVersion {
  until: number;
  entry: StoredDoc | undefined;
}

/** The `_id_` index every collection has; it is the document map itself and cannot be dropped. */
export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

/** Documents of one namespace with their indexes; see the file comment for the no-mutation rule. */
export class Collection {
  readonly docs = new Map<string, StoredDoc>();
  readonly indexes = new Map<string, SecondaryIndex>();
  /** Past versions by id key, kept only while transactions may need them. */
  readonly history = new Map<string, PastVersion[]>();

  constructor(
    readonly db: string,
    readonly name: string,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Index specs in listIndexes order, `_id_` first. */
  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)];
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
    const old = this.docs.get(id);
    if (keepHistory) {
      const list = this.history.get(id) ?? [];
      list.push({ until: seq, entry: old });
      this.history.set(id, list);
    }
    for (const index of this.indexes.values()) index.replace(id, old?.doc, doc);
    if (doc === undefined) {
      this.docs.delete(id);
      return;
    }
    this.docs.set(id, { doc, view: viewOf(doc), seq });
  }

  /** The version of `id` visible to a snapshot taken at `snapshot`. */
  versionAt(id: string, snapshot: number): StoredDoc | undefined {
    const past = this.history.get(id);
    if (past) {
      for (const v of past) if (v.until > snapshot) return v.entry;
    }
    return this.docs.get(id);
  }

  /** True when `id` was written after `snapshot` (a transaction touching it must abort). */
  changedSince(id: string, snapshot: number): boolean {
    const cur = this.docs.get(id);
    if (cur && cur.seq > snapshot) return true;
    const past = this.history.get(id);
    return past !== undefined && past.some((v) => v.until > snapshot);
  }

  /** Builds an index over existing documents; fails without side effects on duplicates. */
  addIndex(spec: IndexSpec): void {
    const index = new SecondaryIndex(spec);
    const seen = new SecondaryIndex(spec);
    for (const [id, { doc }] of this.docs) {
      if (seen.conflictingId(doc, id) !== undefined) throw duplicateKeyError(this.ns, index, doc);
      seen.add(id, doc);
    }
    this.indexes.set(spec.name, seen);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  /** Drops history no open snapshot can see any more. */
  pruneHistory(oldestSnapshot: number | undefined): void {
    if (oldestSnapshot === undefined) {
      this.history.clear();
      return;
    }
    for (const [id, list] of this.history) {
      const kept = list.filter((v) => v.until > oldestSnapshot);
      if (kept.length === 0) this.history.delete(id);
      else this.history.set(id, kept);
    }
  }
}

/** The `_id` key of a document, rejecting array ids as MongoDB does. */
export function docIdKey(doc: Document): string {
  if (Array.isArray(doc._id)) throw new CommandError(53, "The '_id' value cannot be of type array");
  return idKey(doc._id);
}
