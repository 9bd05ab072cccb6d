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

/** One secondary index; must be updated on every write to its collection (Collection.write does). */
export class SecondaryIndex {
  readonly fields: string[];
  /** prefixMaps[i] maps the key of the first i+1 fields to the ids of documents having it. */
  private readonly prefixMaps: Map<string, Bucket>[];

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.prefixMaps = this.fields.map(() => new Map());
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
    for (const tuple of this.keysOf(doc)) {
      for (let i = 0; i < tuple.length; i++) addTo(this.prefixMaps[i], compoundKey(tuple.slice(0, i + 1)), id);
    }
  }

  remove(id: string, doc: Document): void {
    for (const tuple of this.keysOf(doc)) {
      for (let i = 0; i < tuple.length; i++) removeFrom(this.prefixMaps[i], compoundKey(tuple.slice(0, i + 1)), id);
    }
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
export function duplicateKeyError(ns: string, index: { name: string; key: Document; fields: string[] }, doc: Document): CommandError {
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
