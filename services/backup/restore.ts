import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, EJSON } from 'bson';
import type { Db, Document, MongoClient } from 'mongodb';
import { AppError } from '../errors';

/** Documents sent per insert. */
const BATCH = 1000;

export interface RestoreResult {
  /** The folder read: `<from>/<db>`, or `<from>` itself when it holds the `.bson` files. */
  dir: string;
  collections: Array<{ name: string; documents: number; indexes: number }>;
  /** Collections dropped first (`replace`). */
  dropped: string[];
}

/**
 * The folder of one database inside a dump: `<from>/<dbName>` when present, else the only
 * database folder there, else `<from>` itself when it holds `.bson` files (a dump of another
 * database name restores under the configured one, as `mongorestore --nsFrom/--nsTo` would).
 */
export async function dumpFolder(from: string, dbName: string): Promise<string> {
  if (!existsSync(from)) throw invalid(`${from} does not exist`, `No existe la carpeta ${from}.`);
  if (existsSync(join(from, dbName))) return join(from, dbName);
  const entries = await readdir(from, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name.endsWith('.bson'))) return from;
  const dbs = entries.filter((e) => e.isDirectory() && e.name !== 'admin' && e.name !== 'config');
  if (dbs.length === 1) return join(from, dbs[0]!.name);
  throw invalid(
    `${from} holds no dump of ${dbName} (${dbs.map((d) => d.name).join(', ') || 'no database folder'})`,
    `La carpeta ${from} no contiene una copia de la base ${dbName}.`,
  );
}

function invalid(log: string, user: string): AppError {
  return new AppError('VALIDATION', log, user);
}

/** Splits a `.bson` file into its documents (each starts with its own int32 length). */
export function* bsonDocuments(bytes: Buffer, file: string): Generator<Document> {
  let at = 0;
  while (at < bytes.length) {
    const size = at + 4 <= bytes.length ? bytes.readInt32LE(at) : -1;
    if (size < 5 || at + size > bytes.length)
      throw invalid(`${file}: truncated or corrupt BSON at byte ${at}`, `El archivo ${file} está dañado o incompleto.`);
    // promoteValues false: int32, int64 and double come back as their BSON types and are
    // written back as such.
    yield deserialize(bytes.subarray(at, at + size), { promoteValues: false, promoteBuffers: false, bsonRegExp: true });
    at += size;
  }
}

/** Collections of `db` holding at least one document. */
async function nonEmptyCollections(db: Db): Promise<string[]> {
  const names = (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.'));
  const counts = await Promise.all(
    names.map(async (n) => ((await db.collection(n).findOne({}, { projection: { _id: 1 } })) ? n : undefined)),
  );
  return counts.filter((n): n is string => n !== undefined);
}

/**
 * Restores a dump in `mongodump`'s layout into `dbName`: each collection with its options,
 * documents and indexes. A database that already holds documents is refused unless
 * `replace`, which drops every collection of the database first, so nothing of the old data
 * mixes with the restored one.
 */
export async function restoreDatabase(
  client: MongoClient,
  dbName: string,
  from: string,
  options: { replace?: boolean } = {},
): Promise<RestoreResult> {
  const dir = await dumpFolder(from, dbName);
  const db = client.db(dbName);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bson')).sort();
  if (files.length === 0)
    throw invalid(`${dir} holds no .bson file`, `La carpeta ${dir} no contiene colecciones (.bson).`);
  const occupied = await nonEmptyCollections(db);
  if (occupied.length > 0 && !options.replace) {
    throw new AppError(
      'CONFLICT',
      `database ${dbName} is not empty (${occupied.join(', ')}); pass --replace to drop it first`,
      `La base ${dbName} ya tiene datos (${occupied.join(', ')}); para reemplazarlos por la copia indique --replace.`,
      { collections: occupied },
    );
  }
  const dropped: string[] = [];
  if (options.replace) {
    for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (name.startsWith('system.')) continue;
      await db.collection(name).drop();
      dropped.push(name);
    }
  }
  const collections: RestoreResult['collections'] = [];
  for (const file of files) {
    const name = file.slice(0, -'.bson'.length);
    const metaFile = join(dir, `${name}.metadata.json`);
    const metadata = existsSync(metaFile)
      ? (EJSON.parse(await readFile(metaFile, 'utf8'), { relaxed: false }) as {
          options?: Document;
          indexes?: Document[];
        })
      : {};
    await db.createCollection(name, metadata.options ?? {});
    let documents = 0;
    let batch: Document[] = [];
    for (const doc of bsonDocuments(await readFile(join(dir, file)), file)) {
      batch.push(doc);
      if (batch.length >= BATCH) {
        await db.collection(name).insertMany(batch, { ordered: true });
        documents += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await db.collection(name).insertMany(batch, { ordered: true });
    documents += batch.length;
    const indexes = (metadata.indexes ?? []).filter((i) => i.name !== '_id_');
    for (const { key, v: _v, ns: _ns, ...indexOptions } of indexes)
      await db.collection(name).createIndex(key as Document, indexOptions);
    collections.push({ name, documents, indexes: indexes.length });
  }
  return { dir, collections, dropped };
}
