/**
 * Read commands: find, getMore, killCursors, count, distinct, aggregate. Results are computed
 * when the cursor opens (a consistent view even inside transactions) and handed out in batches.
 */
import { Document, Long, calculateObjectSize } from 'bson';
import { CommandSpec } from './types';
import { OpContext, fieldsNeeded } from '../context';
import { CommandError, ErrorCodes, unsupported } from '../errors';
import { project, runPipeline, isPlainObject } from '../matcher';
import { sortDocuments } from '../compare';
import { checkHint, checkSort, collectionName, refuseCollation } from './options';
import { pathValues, valueKey } from '../keys';
import { copyView, toView } from '../values';

const DEFAULT_BATCH = 101;
/** mongod caps every reply batch at 16 MiB of documents (always returning at least one). */
const BATCH_BYTES = 16 * 1024 * 1024;

/** Results still to hand out: `docs` from `pos`, then what `more` yields. */
interface Source {
  docs: Document[];
  pos: number;
  more?: Iterator<Document>;
}

/** Moves one more document from `more` into `docs`; false when there is none. */
function pull(src: Source): boolean {
  if (!src.more) return false;
  const r = src.more.next();
  if (r.done) {
    src.more = undefined;
    return false;
  }
  if (src.pos > 0 && src.pos === src.docs.length) {
    // Handed-out documents are dropped, so a long cursor holds one batch at a time.
    src.docs = [];
    src.pos = 0;
  }
  src.docs.push(r.value);
  return true;
}

/**
 * The next batch: at most `count` documents and, past the first, at most BATCH_BYTES. Leaves
 * `src.more` undefined when nothing follows the batch.
 */
function takeBatch(src: Source, count: number): Document[] {
  const out: Document[] = [];
  let bytes = 0;
  while (out.length < count) {
    if (src.pos >= src.docs.length && !pull(src)) break;
    const doc = src.docs[src.pos]!;
    // One document always fits: skip sizing when only one is asked for (findOne).
    if (count > 1) {
      bytes += calculateObjectSize(doc);
      if (bytes > BATCH_BYTES && out.length > 0) break;
    }
    out.push(doc);
    src.pos += 1;
  }
  if (src.pos >= src.docs.length) pull(src);
  return out;
}

function exhausted(src: Source): boolean {
  return src.pos >= src.docs.length && !src.more;
}

/**
 * The first batch and, unless `single` (mongod closes a singleBatch cursor after whatever its
 * first batch holds), a cursor over the rest.
 */
function cursorReply(
  ctx: OpContext,
  c: string,
  docs: Document[],
  batchSize: number | undefined,
  single: boolean,
  more?: Iterator<Document>,
): Document {
  const size = single || batchSize === undefined ? (single ? Infinity : DEFAULT_BATCH) : Number(batchSize);
  const src: Source = { docs, pos: 0, more };
  const firstBatch = takeBatch(src, size);
  const ns = `${ctx.db}.${c}`;
  const id = single || exhausted(src) ? Long.ZERO : ctx.engine.openCursor(ns, src.docs, src.pos, src.more);
  return { cursor: { firstBatch, id, ns }, ok: 1 };
}

function find(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.find);
  refuseCollation(cmd);
  if (cmd.let !== undefined) throw unsupported("'let' in find");
  checkHint(ctx, c, cmd.hint);
  const sort = checkSort(cmd.sort);
  const skip = Number(cmd.skip ?? 0);
  const limit = Number(cmd.limit ?? 0);
  if (skip < 0 || limit < 0) throw new CommandError(ErrorCodes.BadValue, 'skip and limit must be non-negative');
  const filter = cmd.filter as Document | undefined;
  const walked = sort ? ctx.findSorted(c, filter, sort, skip, limit) : undefined;
  let docs: Document[] = walked ? walked.map((e) => e.doc) : [];
  const projection = cmd.projection as Document | undefined;
  const fields = walked ? undefined : fieldsNeeded(projection, filter, sort);
  const projected = !fields || !sameFields(fields, projection!);
  if (!walked && !sort && !ctx.txn) {
    // Read as batches are asked for: a long result is never held whole.
    const more = (function* (): Generator<Document> {
      let skipped = 0;
      let n = 0;
      for (const e of ctx.iterate(c, filter, fields)) {
        if (skipped < skip) {
          skipped += 1;
          continue;
        }
        yield projected ? project([e.doc], projection)[0]! : e.doc;
        n += 1;
        if (limit > 0 && n >= limit) return;
      }
    })();
    return cursorReply(ctx, c, [], cmd.batchSize as number | undefined, cmd.singleBatch === true, more);
  }
  if (!walked) {
    docs = ctx.find(c, filter, fields);
    if (sort) docs = sortDocuments(docs, sort);
    if (skip > 0) docs = docs.slice(skip);
    if (limit > 0) docs = docs.slice(0, limit);
  }
  // Documents decoded with exactly the projected fields (and _id) are already projected.
  if (projected) docs = project(docs, projection);
  return cursorReply(ctx, c, docs, cmd.batchSize as number | undefined, cmd.singleBatch === true);
}

/** Whether `fields` are exactly an inclusion projection's top-level fields plus `_id`. */
function sameFields(fields: ReadonlySet<string>, projection: Document): boolean {
  const keys = Object.keys(projection);
  if (keys.some((k) => k.includes('.') || k === '_id')) return false;
  return fields.size === keys.length + 1 && keys.every((k) => fields.has(k));
}

function getMore(ctx: OpContext, cmd: Document): Document {
  const id = Number(cmd.getMore);
  const cursor = ctx.engine.cursors.get(id);
  if (!cursor) throw new CommandError(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
  const size = Number(cmd.batchSize ?? 0) > 0 ? Number(cmd.batchSize) : Infinity;
  const nextBatch = takeBatch(cursor, size);
  cursor.lastUsed = Date.now();
  let replyId = Long.fromNumber(id);
  if (exhausted(cursor)) {
    ctx.engine.cursors.delete(id);
    replyId = Long.ZERO;
  }
  return { cursor: { nextBatch, id: replyId, ns: cursor.ns }, ok: 1 };
}

function killCursors(ctx: OpContext, cmd: Document): Document {
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of (cmd.cursors ?? []) as unknown[]) {
    const id = Number(raw);
    (ctx.engine.cursors.delete(id) ? killed : notFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

function count(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.count);
  refuseCollation(cmd);
  checkHint(ctx, c, cmd.hint);
  const query = cmd.query as Document | undefined;
  let n = ctx.count(c, query);
  n = Math.max(0, n - Number(cmd.skip ?? 0));
  const limit = Math.abs(Number(cmd.limit ?? 0));
  if (limit > 0) n = Math.min(n, limit);
  return { n, ok: 1 };
}

function distinct(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.distinct);
  refuseCollation(cmd);
  checkHint(ctx, c, cmd.hint);
  if (typeof cmd.key !== 'string') throw new CommandError(ErrorCodes.TypeMismatch, "'key' must be a string");
  const seen = new Map<string, unknown>();
  for (const doc of ctx.find(c, cmd.query as Document | undefined)) {
    for (const v of pathValues(doc, cmd.key)) if (v !== undefined && !seen.has(valueKey(v))) seen.set(valueKey(v), v);
  }
  return { values: [...seen.values()], ok: 1 };
}

function aggregate(ctx: OpContext, cmd: Document): Document {
  if (cmd.aggregate === 1) throw unsupported('database-level aggregate');
  const c = collectionName(cmd.aggregate);
  refuseCollation(cmd);
  if (cmd.explain) throw unsupported('explain');
  if (cmd.let !== undefined) throw unsupported("'let' in aggregate");
  if (!isPlainObject(cmd.cursor))
    throw new CommandError(
      ErrorCodes.FailedToParse,
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  if (!Array.isArray(cmd.pipeline)) throw new CommandError(ErrorCodes.TypeMismatch, "'pipeline' must be an array");
  checkHint(ctx, c, cmd.hint);
  const pipeline = [...(cmd.pipeline as Document[])];
  const first = pipeline[0];
  const filter =
    isPlainObject(first) && Object.keys(first).length === 1 && isPlainObject(first.$match)
      ? (pipeline.shift() as Document).$match
      : undefined;
  const counted = countOnly(pipeline);
  if (counted) {
    const docs = counted.answer(ctx.count(c, filter));
    return cursorReply(ctx, c, docs, (cmd.cursor as Document).batchSize as number | undefined, false);
  }
  // Stored documents are never mutated (see collection.ts), so stages that only read their input
  // may run on the stored views; any other stage gets private copies it can change.
  const readOnly = pipeline.every((stage) => READ_ONLY_STAGES.has(stageName(stage) ?? ''));
  const fields = pipelineFields(pipeline, filter);
  const input = ctx.entries(c, filter, fields).map((e) => (readOnly ? e.view : copyView(e.doc)));
  const resolve = (name: string): Document[] => ctx.find(name, undefined).map(copyView);
  const docs = pipeline.length === 0 ? input : runPipeline(input, pipeline, resolve);
  return cursorReply(ctx, c, docs, (cmd.cursor as Document).batchSize as number | undefined, false);
}

/** Adds the top-level fields an expression reads (`'$a.b'` reads `a`); false when it may read any. */
function expressionFields(expr: unknown, out: Set<string>): boolean {
  if (typeof expr === 'string') {
    if (expr.startsWith('$$')) return false;
    if (expr.startsWith('$')) out.add(expr.slice(1).split('.')[0]!);
    return true;
  }
  if (Array.isArray(expr)) return expr.every((e) => expressionFields(e, out));
  if (isPlainObject(expr)) return Object.values(expr).every((e) => expressionFields(e, out));
  return true;
}

/**
 * The top-level fields a pipeline after its leading `$match` reads, when its first stage
 * decides them: an inclusion `$project` of plain fields, or a `$group` (whose output holds only
 * what its expressions read). Undefined when it needs whole documents.
 */
function pipelineFields(pipeline: Document[], filter: Document | undefined): Set<string> | undefined {
  const first = pipeline[0];
  const name = stageName(first);
  const out = new Set<string>(['_id']);
  if (name === '$project' && isPlainObject(first!.$project)) {
    const fields = fieldsNeeded(first!.$project as Document, filter, undefined);
    return fields && Object.values(first!.$project as Document).every((v) => v === 1 || v === true || v === 0)
      ? fields
      : undefined;
  }
  if (name === '$group' && isPlainObject(first!.$group)) {
    if (!expressionFields(first!.$group, out)) return undefined;
    const needed = fieldsNeeded(Object.fromEntries([...out].map((f) => [f, 1])), filter, undefined);
    return needed;
  }
  return undefined;
}

/**
 * Stages that never modify the documents they receive, in mingo 7.2 ($count runs as a $group
 * and a $project of the group's own output). `$project` is not one: excluding a dotted path
 * deletes it from the input's embedded document.
 */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count', '$group']);

function stageName(stage: unknown): string | undefined {
  if (!isPlainObject(stage)) return undefined;
  const keys = Object.keys(stage);
  return keys.length === 1 ? keys[0] : undefined;
}

/**
 * The shape the driver's countDocuments sends after its `$match`: `$skip`/`$limit` stages, then
 * a `$group` on a constant `_id` whose every field is `{$sum: 1}`. Returns how to answer it from
 * the number of matching documents, without running the pipeline; undefined for anything else.
 */
function countOnly(pipeline: Document[]): { answer: (matched: number) => Document[] } | undefined {
  const last = pipeline[pipeline.length - 1];
  if (last === undefined || stageName(last) !== '$group' || !isPlainObject(last.$group)) return undefined;
  const steps: Array<(n: number) => number> = [];
  for (const stage of pipeline.slice(0, -1)) {
    const name = stageName(stage);
    const v = name === undefined ? undefined : stage[name];
    if (name === '$skip' && Number.isSafeInteger(v) && v >= 0) steps.push((n) => Math.max(0, n - v));
    else if (name === '$limit' && Number.isSafeInteger(v) && v > 0) steps.push((n) => Math.min(n, v));
    else return undefined;
  }
  const group = last.$group as Document;
  const id = toView(group._id);
  const constant =
    id === null ||
    typeof id === 'boolean' ||
    (typeof id === 'number' && Number.isFinite(id)) ||
    (typeof id === 'string' && !id.startsWith('$'));
  if (!constant) return undefined;
  const fields = Object.keys(group).filter((k) => k !== '_id');
  for (const f of fields) {
    const acc = group[f];
    if (
      f.startsWith('$') ||
      f.includes('.') ||
      !isPlainObject(acc) ||
      Object.keys(acc).length !== 1 ||
      toView(acc.$sum) !== 1
    )
      return undefined;
  }
  return {
    answer: (matched) => {
      const n = steps.reduce((count, step) => step(count), matched);
      if (n === 0) return [];
      const out: Document = { _id: id };
      for (const f of fields) out[f] = n;
      return [out];
    },
  };
}

export const readCommands: CommandSpec[] = [
  {
    name: 'find',
    fields: [
      'filter',
      'sort',
      'projection',
      'skip',
      'limit',
      'batchSize',
      'singleBatch',
      'hint',
      'collation',
      'allowDiskUse',
      'noCursorTimeout',
      'allowPartialResults',
      'let',
    ],
    inTxn: true,
    run: find,
  },
  { name: 'getMore', fields: ['collection', 'batchSize'], inTxn: true, run: getMore },
  { name: 'killCursors', fields: ['cursors'], inTxn: true, run: killCursors },
  { name: 'count', fields: ['query', 'limit', 'skip', 'hint', 'collation'], run: count },
  { name: 'distinct', fields: ['key', 'query', 'hint', 'collation'], inTxn: true, run: distinct },
  {
    name: 'aggregate',
    fields: ['pipeline', 'cursor', 'explain', 'allowDiskUse', 'hint', 'let', 'collation', 'bypassDocumentValidation'],
    inTxn: true,
    run: aggregate,
  },
];
