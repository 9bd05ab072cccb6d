/**
 * Collections, indexes and databases. Index builds validate existing documents first (a unique
 * build over duplicates fails with 11000 and leaves nothing behind) and are journaled as one op.
 */
import { Document, Long } from 'bson';
import { CommandSpec } from './types';
import { OpContext } from '../context';
import { CommandError, ErrorCodes, unsupported } from '../errors';
import { IndexSpec } from '../secondary-index';
import { compileFilter, isPlainObject } from '../matcher';
import { checkFields, collectionName } from './options';
import { ID_INDEX } from '../collection';

const INDEX_SPEC_FIELDS = ['key', 'name', 'unique', 'sparse', 'v', 'background'];

function parseIndexSpec(raw: Document): IndexSpec {
  if (!isPlainObject(raw)) throw new CommandError(ErrorCodes.TypeMismatch, 'index specification must be an object');
  for (const k of Object.keys(raw)) if (!INDEX_SPEC_FIELDS.includes(k)) throw unsupported(`index option '${k}'`);
  const key = raw.key as Document;
  if (!isPlainObject(key) || Object.keys(key).length === 0)
    throw new CommandError(ErrorCodes.BadValue, "index 'key' must be a non-empty object");
  for (const [f, d] of Object.entries(key)) {
    if (Number(d) !== 1 && Number(d) !== -1) throw unsupported(`index type ${JSON.stringify(d)} on '${f}'`);
  }
  const name =
    typeof raw.name === 'string'
      ? raw.name
      : Object.entries(key)
          .map(([f, d]) => `${f}_${d}`)
          .join('_');
  const spec: IndexSpec = { name, key: { ...key } };
  if (raw.unique) spec.unique = true;
  if (raw.sparse) spec.sparse = true;
  return spec;
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return Boolean(a.unique) === Boolean(b.unique) && Boolean(a.sparse) === Boolean(b.sparse);
}

function createIndexes(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.createIndexes);
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0)
    throw new CommandError(ErrorCodes.BadValue, "'indexes' must be a non-empty array");
  const created = !ctx.collection(c);
  if (created) ctx.applyLive({ o: 'create', db: ctx.db, c });
  const coll = ctx.collection(c)!;
  const before = coll.indexSpecs().length;
  for (const raw of cmd.indexes as Document[]) {
    const spec = parseIndexSpec(raw);
    const existing = coll
      .indexSpecs()
      .find((s) => s.name === spec.name || JSON.stringify(s.key) === JSON.stringify(spec.key));
    if (existing) {
      if (existing.name !== spec.name)
        throw new CommandError(
          ErrorCodes.IndexOptionsConflict,
          `Index already exists with a different name: ${existing.name}`,
        );
      if (JSON.stringify(existing.key) !== JSON.stringify(spec.key))
        throw new CommandError(
          ErrorCodes.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index but a different key: ${spec.name}`,
        );
      if (!sameOptions(existing, spec))
        throw new CommandError(
          ErrorCodes.IndexOptionsConflict,
          `An equivalent index already exists with the same name but different options: ${spec.name}`,
        );
      continue;
    }
    ctx.applyLive({ o: 'createIndex', db: ctx.db, c, spec });
  }
  const after = coll.indexSpecs().length;
  const reply: Document = { numIndexesBefore: before, numIndexesAfter: after, createdCollectionAutomatically: created };
  if (before === after) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
}

function listIndexes(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.listIndexes);
  const coll = ctx.collection(c);
  if (!coll) throw new CommandError(26, `ns does not exist: ${ctx.db}.${c}`);
  const docs = coll.indexSpecs().map(({ key, name, ...rest }) => ({ v: 2, key, name, ...rest }));
  return { cursor: { id: Long.ZERO, ns: `${ctx.db}.${c}`, firstBatch: docs }, ok: 1 };
}

function dropIndexes(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.dropIndexes);
  const coll = ctx.collection(c);
  if (!coll) throw new CommandError(26, `ns not found ${ctx.db}.${c}`);
  const was = coll.indexSpecs().length;
  const target = cmd.index;
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()];
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target)) names = target as string[];
  else if (isPlainObject(target))
    names = coll
      .indexSpecs()
      .filter((s) => JSON.stringify(s.key) === JSON.stringify(target))
      .map((s) => s.name)
      .slice(0, 1);
  else throw new CommandError(ErrorCodes.TypeMismatch, "'index' must be a name, a key pattern or an array of names");
  if (names.length === 0 && target !== '*')
    throw new CommandError(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
  for (const name of names) {
    if (name === ID_INDEX.name) throw new CommandError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    if (!coll.indexes.has(name))
      throw new CommandError(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
  }
  for (const name of names) ctx.applyLive({ o: 'dropIndex', db: ctx.db, c, name });
  return { nIndexesWas: was, ok: 1 };
}

function listCollections(ctx: OpContext, cmd: Document): Document {
  const test = compileFilter(cmd.filter as Document | undefined);
  const infos = ctx.engine.catalog.collections(ctx.db).map((coll) => ({
    name: coll.name,
    type: 'collection',
    options: {},
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const docs = infos.filter(test).map((i) => (cmd.nameOnly ? { name: i.name, type: i.type } : i));
  return { cursor: { id: Long.ZERO, ns: `${ctx.db}.$cmd.listCollections`, firstBatch: docs }, ok: 1 };
}

function create(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.create);
  if (ctx.collection(c))
    throw new CommandError(ErrorCodes.NamespaceExists, `Collection ${ctx.db}.${c} already exists.`);
  ctx.applyLive({ o: 'create', db: ctx.db, c });
  return { ok: 1 };
}

function drop(ctx: OpContext, cmd: Document): Document {
  const c = collectionName(cmd.drop);
  const coll = ctx.collection(c);
  if (!coll) return { ok: 1 };
  const was = coll.indexSpecs().length;
  ctx.applyLive({ o: 'drop', db: ctx.db, c });
  return { ns: coll.ns, nIndexesWas: was, ok: 1 };
}

function dropDatabase(ctx: OpContext): Document {
  if (ctx.engine.catalog.dbs.has(ctx.db)) ctx.applyLive({ o: 'dropDatabase', db: ctx.db });
  return { dropped: ctx.db, ok: 1 };
}

function listDatabases(ctx: OpContext, cmd: Document): Document {
  const test = compileFilter(cmd.filter as Document | undefined);
  const dbs = [...ctx.engine.catalog.dbs.entries()]
    .filter(([, colls]) => colls.size > 0)
    .map(([name, colls]) => {
      const docs = [...colls.values()].reduce((n, coll) => n + coll.size(), 0);
      return { name, sizeOnDisk: docs * 100, empty: docs === 0 };
    })
    .filter(test);
  if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  const totalSize = dbs.reduce((n, d) => n + d.sizeOnDisk, 0);
  return { databases: dbs, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

function noCreateOptions(run: (ctx: OpContext, cmd: Document) => Document) {
  return (ctx: OpContext, cmd: Document): Document => {
    checkFields(
      cmd,
      [
        'create',
        '$db',
        'lsid',
        '$clusterTime',
        'writeConcern',
        'comment',
        'apiVersion',
        'apiStrict',
        'apiDeprecationErrors',
        '$readPreference',
        'txnNumber',
        'autocommit',
        'startTransaction',
        'maxTimeMS',
        'readConcern',
      ],
      'create (collection options such as capped, validator, timeseries)',
    );
    return run(ctx, cmd);
  };
}

export const ddlCommands: CommandSpec[] = [
  { name: 'createIndexes', fields: ['indexes', 'commitQuorum'], run: createIndexes },
  { name: 'listIndexes', fields: ['cursor'], inTxn: true, run: listIndexes },
  { name: 'dropIndexes', fields: ['index'], run: dropIndexes },
  { name: 'listCollections', fields: ['filter', 'nameOnly', 'authorizedCollections', 'cursor'], run: listCollections },
  { name: 'create', fields: [], run: noCreateOptions(create) },
  { name: 'drop', fields: [], run: drop },
  { name: 'dropDatabase', fields: [], run: dropDatabase },
  { name: 'listDatabases', fields: ['filter', 'nameOnly', 'authorizedDatabases'], run: listDatabases },
];
