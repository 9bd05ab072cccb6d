/**
 * findAndModify: one document, chosen by query and sort, updated, replaced or removed, and
 * returned before or after the change (`new`), optionally projected (`fields`).
 */
import { Document } from 'bson';
import { CommandSpec } from './types';
import { OpContext } from '../context';
import { CommandError, ErrorCodes, unsupported } from '../errors';
import { updateDocument, upsertDocument, updateKind } from '../update-doc';
import { sortDocuments } from '../compare';
import { project } from '../matcher';
import { checkHint, checkSort, collectionName, refuseCollation } from './options';

function findAndModify(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.findAndModify ?? cmd.findandmodify);
  refuseCollation(cmd);
  if (cmd.let !== undefined) throw unsupported("'let' in findAndModify");
  checkHint(ctx, c, cmd.hint);
  const remove = cmd.remove === true;
  if (remove && (cmd.update !== undefined || cmd.new === true || cmd.upsert === true)) {
    throw new CommandError(ErrorCodes.FailedToParse, 'Cannot specify both an update and remove=true');
  }
  if (!remove && cmd.update === undefined)
    throw new CommandError(ErrorCodes.FailedToParse, 'Either an update or remove=true must be specified');
  if (!remove) updateKind(cmd.update);
  const filter = (cmd.query ?? {}) as Document;
  const sort = checkSort(cmd.sort);
  let matches = ctx.find(c, filter);
  if (sort) matches = sortDocuments(matches, sort);
  const doc = matches[0];
  const shape = (d: Document | undefined): Document | null =>
    (d && project([d], cmd.fields as Document | undefined)[0]) ?? null;
  if (remove) {
    if (doc) ctx.remove(c, doc._id);
    return { lastErrorObject: { n: doc ? 1 : 0 }, value: shape(doc), ok: 1 };
  }
  if (!doc) {
    if (!cmd.upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const inserted = upsertDocument(filter, cmd.update, cmd.arrayFilters);
    ctx.insert(c, inserted);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: inserted._id },
      value: cmd.new ? shape(inserted) : null,
      ok: 1,
    };
  }
  const { doc: next, changed } = updateDocument(doc, cmd.update, { arrayFilters: cmd.arrayFilters, filter });
  if (changed) ctx.put(c, next);
  return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(cmd.new ? next : doc), ok: 1 };
}

export const findAndModifyCommand: CommandSpec = {
  name: 'findAndModify',
  aliases: ['findandmodify'],
  fields: [
    'query',
    'sort',
    'remove',
    'update',
    'new',
    'fields',
    'upsert',
    'bypassDocumentValidation',
    'arrayFilters',
    'hint',
    'collation',
    'let',
  ],
  inTxn: true,
  retryable: true,
  run: findAndModify,
};
