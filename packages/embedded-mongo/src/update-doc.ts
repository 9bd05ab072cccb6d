/**
 * Builds the new image of a document for update, findAndModify and upserts: operator updates
 * (through mingo, plus $setOnInsert which mingo lacks), replacements and pipeline updates,
 * with MongoDB's validation (mixing, immutable `_id`) and the upsert seed taken from the
 * filter's equality fields.
 */
import { Document, ObjectId, Timestamp, serialize } from 'bson';
import { copyTyped, copyView, retype, toView } from './values';
import { checkOperatorTargets } from './update-checks';
import { tryFastUpdate } from './update-fast';
import { update as mingoUpdate } from 'mingo';
import { CommandError, ErrorCodes, toCommandError } from './errors';
import { assertSupported, isPlainObject, runPipeline } from './matcher';
import { splitPath } from './matcher-util';
import { valueKey } from './keys';

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);
const POSITIONAL = /(^|\.)\$(\.|$)/;
const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

/** Deep copy that keeps exact BSON types (structuredClone would drop bson classes). */
export const copyDoc = copyTyped;

export type UpdateKind = 'operators' | 'replacement' | 'pipeline';

/** Classifies an update and rejects malformed ones the way mongod does. */
export function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) {
    for (const stage of u) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !PIPELINE_STAGES.has(name)) {
        throw new CommandError(ErrorCodes.BadValue, `${name ?? 'stage'} is not allowed to be used within an update`);
      }
    }
    return 'pipeline';
  }
  if (!isPlainObject(u))
    throw new CommandError(ErrorCodes.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys[0]?.charCodeAt(0) !== 36) {
    const dollar = keys.find((k) => k.charCodeAt(0) === 36);
    if (dollar) {
      throw new CommandError(
        52,
        `The dollar ($) prefixed field '${dollar}' in '${dollar}' is not allowed in the context of an update's replacement document.`,
      );
    }
    return 'replacement';
  }
  for (const k of keys) {
    if (!OPERATORS.has(k)) {
      throw new CommandError(
        ErrorCodes.FailedToParse,
        `Unknown modifier: ${k}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    }
  }
  assertSupported(u, 'update');
  return 'operators';
}

export interface ApplyOptions {
  arrayFilters?: Document[];
  /** The query that selected the document (for the positional `$` operator). */
  filter?: Document;
  /** True when the update builds a new document for an upsert ($setOnInsert applies). */
  inserting?: boolean;
}

/** The image an update produces and whether it differs from the document it replaces. */
export interface UpdateResult {
  doc: Document;
  /** False when the image is byte-identical to the old document (nModified 0, nothing written). */
  changed: boolean;
}

/** Returns the updated image of `doc`; `doc` itself is never modified. */
export function applyUpdate(doc: Document, u: Document | Document[], opts: ApplyOptions = {}): Document {
  return updateDocument(doc, u, opts).doc;
}

/**
 * Like {@link applyUpdate}, also telling whether anything changed. The image may share
 * unmodified subtrees with `doc` (and be `doc` itself when nothing changed): neither may be
 * mutated afterwards.
 */
export function updateDocument(doc: Document, u: Document | Document[], opts: ApplyOptions = {}): UpdateResult {
  const kind = updateKind(u);
  let next: Document;
  let changed: boolean | undefined;
  if (kind === 'replacement') {
    next = copyDoc(u as Document);
    if (next._id === undefined) next._id = doc._id;
  } else if (kind === 'pipeline') {
    const [out] = runPipeline([copyView(doc)], u as Document[], () => []);
    next = retype(out ?? {}, doc) as Document;
  } else {
    ({ doc: next, changed } = applyOperators(doc, u as Document, opts));
  }
  if (doc._id !== undefined && valueKey(next._id) !== valueKey(doc._id)) {
    throw new CommandError(
      ErrorCodes.ImmutableField,
      `Performing an update on the path '_id' would modify the immutable field '_id'`,
    );
  }
  next = idFirst(next);
  return { doc: next, changed: changed ?? !sameDocument(doc, next) };
}

/** Operators whose arguments are stored as given, so they keep their BSON types. */
const STORES_VALUES = new Set(['$set', '$push', '$addToSet']);

/** The new image; `changed` is known when the fast path built it, else left for the caller to compute. */
function applyOperators(doc: Document, u: Document, opts: ApplyOptions): { doc: Document; changed?: boolean } {
  const { $setOnInsert, $currentDate, ...typed } = u;
  checkOperatorTargets(u, doc);
  assertSupported(opts.arrayFilters, 'arrayFilters');
  if (opts.inserting && $setOnInsert) typed.$set = { ...(typed.$set ?? {}), ...$setOnInsert };
  if ($currentDate) typed.$set = { ...(typed.$set ?? {}), ...currentDates($currentDate as Document) };
  if (Object.keys(typed).length === 0) return { doc, changed: false };
  const positional = Object.values(typed).some(
    (v) => isPlainObject(v) && Object.keys(v).some((k) => POSITIONAL.test(k)),
  );
  if (!positional && !opts.arrayFilters) {
    const fast = tryFastUpdate(doc, typed);
    if (fast) return fast;
  }
  const next = copyView(doc);
  const modifier: Document = {};
  for (const [op, args] of Object.entries(typed)) modifier[op] = STORES_VALUES.has(op) ? args : toView(args);
  const condition = positional && !opts.inserting ? toView(opts.filter) : undefined;
  try {
    mingoUpdate(next, modifier, toView(opts.arrayFilters), condition, { cloneMode: 'copy' });
  } catch (err) {
    throw toCommandError(err);
  }
  return { doc: retype(next, doc) as Document };
}

let timestampIncrement = 0;

/** $currentDate values: a Date, or a Timestamp when asked with {$type: 'timestamp'}. */
function currentDates(spec: Document): Document {
  const out: Document = {};
  const now = new Date();
  for (const [path, how] of Object.entries(spec)) {
    const type = isPlainObject(how) ? how.$type : 'date';
    if (how !== true && type !== 'date' && type !== 'timestamp') {
      throw new CommandError(
        ErrorCodes.BadValue,
        `The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {${path}: ...}}`,
      );
    }
    timestampIncrement = (timestampIncrement + 1) % 0x7fffffff;
    out[path] =
      type === 'timestamp' ? new Timestamp({ t: Math.floor(now.getTime() / 1000), i: timestampIncrement }) : now;
  }
  return out;
}

/** MongoDB stores `_id` as the first field. */
export function idFirst(doc: Document): Document {
  if (Object.keys(doc)[0] === '_id' || doc._id === undefined) return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/**
 * The document an upsert starts from: equality fields of the filter (top level and `$and`),
 * dotted paths expanded into sub-documents.
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Document, seed: Document): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) collectEqualities(part, seed);
      continue;
    }
    if (field.charCodeAt(0) === 36) continue;
    if (isPlainObject(cond) && Object.keys(cond).some((k) => k.charCodeAt(0) === 36)) {
      if ('$eq' in cond) setPath(seed, field, cond.$eq);
      continue;
    }
    setPath(seed, field, cond);
  }
}

function setPath(doc: Document, path: string, value: unknown): void {
  const { parents, leaf } = splitPath(path);
  // Walking `__proto__` would write into Object.prototype; refused as mingo refuses it in queries.
  if (leaf === '__proto__' || parents.includes('__proto__'))
    throw new CommandError(ErrorCodes.BadValue, `Accessing __proto__ is not allowed in selector: '${path}'.`);
  let cur = doc;
  for (const part of parents) {
    if (!isPlainObject(cur[part])) cur[part] = {};
    cur = cur[part] as Document;
  }
  cur[leaf] = value;
}

/** Builds the document inserted by an upsert that matched nothing. */
export function upsertDocument(filter: Document, u: Document | Document[], arrayFilters?: Document[]): Document {
  const seed = copyTyped(upsertSeed(filter));
  const kind = updateKind(u);
  let doc: Document;
  if (kind === 'replacement') {
    doc = copyDoc(u as Document);
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else if (kind === 'pipeline') {
    doc = retype(runPipeline([toView(seed)], u as Document[], () => [])[0] ?? {}, seed) as Document;
  } else {
    doc = applyOperators(seed, u as Document, { arrayFilters, inserting: true }).doc;
  }
  if (doc._id === undefined) doc._id = new ObjectId();
  return idFirst(doc);
}

/** True when two images are byte-identical (a no-op update reports nModified 0). */
export function sameDocument(a: Document, b: Document): boolean {
  return Buffer.from(serialize(a)).equals(Buffer.from(serialize(b)));
}
