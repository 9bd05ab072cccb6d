import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { EJSON } from 'bson';
import type { ClientSession, Db, Document, MongoClient } from 'mongodb';
import { AppError } from '../errors';

/** Bytes gathered before one write to a `.bson` file. */
const FLUSH_BYTES = 4 * 1024 * 1024;

export interface DumpResult {
  /** The folder holding `<collection>.bson` and `<collection>.metadata.json`: `<out>/<db>`. */
  dir: string;
  collections: Array<{ name: string; documents: number }>;
  /**
   * `snapshot`: every collection was read at one point in time (one read-only transaction);
   * `per-collection`: the server has no transactions (a standalone mongod), so each
   * collection was read on its own and writes made meanwhile may show in some and not others.
   */
  consistency: 'snapshot' | 'per-collection';
}

/** The collections to dump: plain collections, no views, no `system.*`. */
async function collectionsOf(db: Db): Promise<Array<{ name: string; options: Document }>> {
  const listed = await db.listCollections({ type: 'collection' }, { nameOnly: false }).toArray();
  return listed
    .filter((c) => !c.name.startsWith('system.'))
    .map((c) => ({ name: c.name, options: (c as { options?: Document }).options ?? {} }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** True for the errors a server without transactions (standalone) answers a transaction with. */
function transactionsUnsupported(error: unknown): boolean {
  const e = error as { code?: number; message?: string };
  return e.code === 20 || /Transaction numbers are only allowed|transactions are not supported/i.test(e.message ?? '');
}

/**
 * Writes `<out>/<db>/<coll>.bson` (the documents, BSON one after the other) and
 * `<coll>.metadata.json` (the collection's options and indexes in canonical Extended JSON), the
 * layout `mongodump` writes and `mongorestore` reads, through the driver only, so it works the
 * same against the embedded engine and any MongoDB.
 *
 * Consistency: all collections are read inside one read-only transaction with snapshot read
 * concern, so the dump is the database at one instant even while the service writes (a
 * state change and its notices, a folio and its counter, always arrive together). A real
 * MongoDB limits a transaction's life (60 s by default): a database too big to read in that
 * time fails with a clear error, and is dumped with `mongodump --oplog` instead. A standalone
 * mongod has no transactions: there each collection is read on its own (`per-collection`).
 */
export async function dumpDatabase(client: MongoClient, dbName: string, out: string): Promise<DumpResult> {
  const db = client.db(dbName);
  const dir = join(out, dbName);
  await mkdir(dir, { recursive: true });
  // Collections and indexes first: MongoDB lists neither inside a transaction. The service
  // creates its collections at start, so none appears between this and the snapshot.
  const plan = await describeCollections(db);
  const session = client.startSession();
  try {
    session.startTransaction({ readConcern: { level: 'snapshot' } });
    try {
      const collections = await writeAll(db, dir, plan, session);
      return { dir, collections, consistency: 'snapshot' };
    } catch (error) {
      if (!transactionsUnsupported(error)) throw explain(error);
    } finally {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
    }
  } finally {
    await session.endSession();
  }
  return { dir, collections: await writeAll(db, dir, plan), consistency: 'per-collection' };
}

function explain(error: unknown): unknown {
  const e = error as { code?: number; codeName?: string };
  if (e.codeName === 'TransactionExceededLifetimeLimitSeconds' || e.code === 290 || e.codeName === 'SnapshotTooOld') {
    return new AppError(
      'UPSTREAM',
      `the snapshot could not be held long enough to read the whole database: ${String(error)}`,
      'La base es demasiado grande para copiarla en una sola lectura; use mongodump --oplog contra el replica set.',
    );
  }
  return error;
}

interface CollectionPlan {
  name: string;
  /** What `<name>.metadata.json` holds, as mongodump writes it. */
  metadata: { indexes: Document[]; collectionName: string; type: 'collection'; options: Document };
}

async function describeCollections(db: Db): Promise<CollectionPlan[]> {
  const plans: CollectionPlan[] = [];
  for (const { name, options } of await collectionsOf(db)) {
    const indexes = (await db.collection(name).listIndexes().toArray()).map(({ ns: _ns, ...index }) => index);
    plans.push({ name, metadata: { indexes, collectionName: name, type: 'collection', options } });
  }
  return plans;
}

async function writeAll(
  db: Db,
  dir: string,
  plan: readonly CollectionPlan[],
  session?: ClientSession,
): Promise<DumpResult['collections']> {
  const written: DumpResult['collections'] = [];
  for (const { name, metadata } of plan) {
    // `raw`: each document as the server's own BSON bytes, so every type (int32 vs double,
    // int64, decimal, binary subtypes) is written back exactly as stored.
    const cursor = db
      .collection(name)
      .find({}, { session, sort: { _id: 1 }, batchSize: 1000, raw: true }) as unknown as AsyncIterable<Uint8Array>;
    const documents = await writeDocuments(cursor, join(dir, `${name}.bson`));
    const meta = await open(join(dir, `${name}.metadata.json`), 'w');
    try {
      await meta.writeFile(EJSON.stringify(metadata, { relaxed: false }));
    } finally {
      await meta.close();
    }
    written.push({ name, documents });
  }
  return written;
}

async function writeDocuments(cursor: AsyncIterable<Uint8Array>, file: string): Promise<number> {
  const handle = await open(file, 'w');
  let count = 0;
  try {
    let pending: Uint8Array[] = [];
    let bytes = 0;
    for await (const bson of cursor) {
      pending.push(bson);
      bytes += bson.length;
      count++;
      if (bytes >= FLUSH_BYTES) {
        await handle.write(Buffer.concat(pending));
        pending = [];
        bytes = 0;
      }
    }
    if (pending.length > 0) await handle.write(Buffer.concat(pending));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return count;
}
