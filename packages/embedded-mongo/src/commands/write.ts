/**
 * insert / update / delete with MongoDB's batch semantics: per-statement errors are reported in
 * `writeErrors` with the statement index; an ordered batch stops at the first error, an
 * unordered one keeps going.
 */
import { Document, ObjectId } from 'bson';
import { CommandSpec } from './types';
import { OpContext } from '../context';
import { CommandError, ErrorCodes, toCommandError } from '../errors';
import { idFirst, updateDocument, upsertDocument, updateKind } from '../update-doc';
import { checkFields, collectionName, refuseCollation, checkHint } from './options';

interface BatchResult {
  writeErrors: Document[];
}

/** Runs statements in order, collecting errors; returns the error list in MongoDB's shape. */
function runBatch<T>(items: T[], ordered: boolean, each: (item: T, index: number) => void): BatchResult {
  const writeErrors: Document[] = [];
  for (const [i, item] of items.entries()) {
    try {
      each(item, i);
    } catch (err) {
      const e = toCommandError(err);
      if (e.code === ErrorCodes.WriteConflict || e.code === ErrorCodes.NoSuchTransaction) throw e;
      writeErrors.push({ index: i, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra });
      if (ordered) break;
    }
  }
  return { writeErrors };
}

function finish(reply: Document, { writeErrors }: BatchResult): Document {
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}

function insert(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.insert);
  const docs = (cmd.documents ?? []) as Document[];
  let n = 0;
  const result = runBatch(docs, cmd.ordered !== false, (raw) => {
    const doc = raw._id === undefined ? { _id: new ObjectId(), ...raw } : idFirst(raw);
    ctx.insert(c, doc);
    n += 1;
  });
  return finish({ n }, result);
}

const UPDATE_STATEMENT_FIELDS = ['q', 'u', 'upsert', 'multi', 'arrayFilters', 'hint', 'collation', 'c'];

function update(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.update);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const result = runBatch((cmd.updates ?? []) as Document[], cmd.ordered !== false, (st, index) => {
    checkFields(st, UPDATE_STATEMENT_FIELDS, 'update statement');
    refuseCollation(st);
    if (st.c !== undefined)
      throw new CommandError(ErrorCodes.BadValue, "update constants ('c') are not supported by the embedded engine");
    checkHint(ctx, c, st.hint);
    updateKind(st.u);
    if (st.multi && updateKind(st.u) === 'replacement') {
      throw new CommandError(ErrorCodes.FailedToParse, 'multi update is not supported for replacement-style update');
    }
    const r = updateMatching(ctx, c, st);
    n += r.matched;
    nModified += r.modified;
    if (r.upsertedId !== undefined) {
      n += 1;
      upserted.push({ index, _id: r.upsertedId });
    }
  });
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  return finish(reply, result);
}

/** Applies one update statement; shared with findAndModify's semantics for matching. */
export function updateMatching(
  ctx: OpContext,
  c: string,
  st: Document,
): { matched: number; modified: number; upsertedId?: unknown } {
  const filter = (st.q ?? {}) as Document;
  const matches = ctx.find(c, filter);
  const targets = st.multi ? matches : matches.slice(0, 1);
  let modified = 0;
  for (const doc of targets) {
    const { doc: next, changed } = updateDocument(doc, st.u, { arrayFilters: st.arrayFilters, filter });
    if (!changed) continue;
    ctx.put(c, next);
    modified += 1;
  }
  if (targets.length === 0 && st.upsert) {
    const doc = upsertDocument(filter, st.u, st.arrayFilters);
    ctx.insert(c, doc);
    return { matched: 0, modified: 0, upsertedId: doc._id };
  }
  return { matched: targets.length, modified };
}

function remove(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.delete);
  let n = 0;
  const result = runBatch((cmd.deletes ?? []) as Document[], cmd.ordered !== false, (st) => {
    checkFields(st, ['q', 'limit', 'hint', 'collation'], 'delete statement');
    refuseCollation(st);
    checkHint(ctx, c, st.hint);
    if (st.limit !== 0 && st.limit !== 1)
      throw new CommandError(ErrorCodes.FailedToParse, 'The limit field in delete objects must be 0 or 1');
    const matches = ctx.find(c, (st.q ?? {}) as Document);
    for (const doc of st.limit === 1 ? matches.slice(0, 1) : matches) {
      ctx.remove(c, doc._id);
      n += 1;
    }
  });
  return finish({ n }, result);
}

const BATCH_FIELDS = ['ordered', 'bypassDocumentValidation', 'let'];

export const writeCommands: CommandSpec[] = [
  { name: 'insert', fields: ['documents', ...BATCH_FIELDS], inTxn: true, retryable: true, run: refuseLet(insert) },
  { name: 'update', fields: ['updates', ...BATCH_FIELDS], inTxn: true, retryable: true, run: refuseLet(update) },
  { name: 'delete', fields: ['deletes', ...BATCH_FIELDS], inTxn: true, retryable: true, run: refuseLet(remove) },
];

function refuseLet(run: (ctx: OpContext, cmd: Document) => Document) {
  return (ctx: OpContext, cmd: Document): Document => {
    if (cmd.let !== undefined)
      throw new CommandError(ErrorCodes.BadValue, "'let' is not supported by the embedded engine");
    return run(ctx, cmd);
  };
}
