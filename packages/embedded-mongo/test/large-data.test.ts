import { copyFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Binary, Document, deserialize, serialize } from 'bson';
import { MongoClient } from 'mongodb';
import { RunningEngine, startEngine } from '../src';
import { decodeRecords, encodeRecord } from '../src/legacy-journal';
import { serializeAny } from '../src/values';
import { TestDatabase, openTestDatabase, usingRealMongo } from './support/test-database';
import { itemAt } from './support/checked';

/** Engine-only: records and reply batches larger than bson's 17 MiB scratch buffer. */
const describeEngine = usingRealMongo ? describe.skip : describe;

const MB = 1024 * 1024;

interface Blob {
  _id: number;
  data: Binary;
}

/** bson's own serialize with a scratch buffer large enough for `bytes` (an option its types omit). */
function serializeWithScratch(doc: Document, bytes: number): Uint8Array {
  return serialize(doc, { minInternalBufferSize: bytes + 1024 } as unknown as Parameters<typeof serialize>[1]);
}

/** Recognisable bytes per document, so a mix-up between documents shows. */
function payload(i: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  for (let off = 0; off < size; off += 4) buf.writeUInt32LE((i * 2654435761 + off) >>> 0, off);
  return buf;
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cjpf-engine-large-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function expectDocs(docs: Document[] | Blob[], count: number, size: number): void {
  expect(docs.map((d) => d._id)).toEqual(Array.from({ length: count }, (_, i) => i));
  for (const d of docs) {
    const data = d.data as Binary;
    expect(data.length()).toBe(size);
    expect(Buffer.from(data.buffer).equals(payload(d._id as number, size))).toBe(true);
  }
}

describeEngine('records larger than 16 MiB', () => {
  it('serializes small documents exactly as bson does and large ones to the same bytes', () => {
    const small = { ops: [{ o: 'put', db: 'd', c: 'c', d: { _id: 1, s: 'x', n: 2.5, u: undefined } }] };
    expect(serializeAny(small).equals(Buffer.from(serialize(small)))).toBe(true);
    // Strings cross the 17 MiB scratch end (silent truncation there), binaries throw there.
    const large = {
      ops: Array.from({ length: 12 }, (_, i) => ({
        o: 'put',
        db: 'd',
        c: 'c',
        d: { _id: i, s: 'é'.repeat(700_000 + i), b: new Binary(payload(i, 300_000)), a: [1, undefined, { x: null }] },
      })),
      tail: { nested: Array.from({ length: 3 }, (_, i) => ({ s: 'y'.repeat(3 * MB + i) })) },
    };
    const bytes = serializeAny(large);
    expect(bytes.length).toBeGreaterThan(17 * MB);
    expect(bytes.equals(Buffer.from(serializeWithScratch(large, bytes.length)))).toBe(true);
    const { records, validLength } = decodeRecords(encodeRecord(large));
    expect(validLength).toBe(bytes.length + 8);
    expect(records).toHaveLength(1);
    expect(serializeWithScratch(itemAt(records, 0), bytes.length).length).toBe(bytes.length);
    expect(deserialize(bytes).ops[11].d.s).toBe('é'.repeat(700_011));
  });

  it('stores a collection of 400 documents of 50 KB and brings them back byte-identical after a restart', async () => {
    const dbPath = await tempDir();
    let engine: RunningEngine = await startEngine({ port: 0, dbPath });
    let client = await MongoClient.connect(engine.uri);
    try {
      const coll = client.db('big').collection<Blob>('blobs');
      for (let start = 0; start < 400; start += 100) {
        await coll.insertMany(
          Array.from({ length: 100 }, (_, k) => ({ _id: start + k, data: new Binary(payload(start + k, 51200)) })),
        );
      }
      await client.close();
      await engine.close();
      expect((await stat(join(dbPath, 'data.mdb'))).size).toBeGreaterThan(400 * 51200);

      engine = await startEngine({ port: 0, dbPath });
      client = await MongoClient.connect(engine.uri);
      const again = client.db('big').collection<Blob>('blobs');
      expectDocs(await again.find().sort({ _id: 1 }).toArray(), 400, 51200);
      // Writes keep working and survive the next restart.
      await again.insertOne({ _id: 400, data: new Binary(payload(400, 51200)) });
      await client.close();
      await engine.close();
      engine = await startEngine({ port: 0, dbPath });
      client = await MongoClient.connect(engine.uri);
      expectDocs(await client.db('big').collection<Blob>('blobs').find().sort({ _id: 1 }).toArray(), 401, 51200);
    } finally {
      await client.close();
      await engine.close();
    }
  });

  it('commits one insertMany of 20 documents of 1 MB as one transaction and keeps it after a crash', async () => {
    const dbPath = await tempDir();
    const crashImage = await tempDir();
    const engine = await startEngine({ port: 0, dbPath });
    const client = await MongoClient.connect(engine.uri);
    try {
      await client
        .db('big')
        .collection<Blob>('blobs')
        .insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, data: new Binary(payload(i, MB)) })));
      // What a killed process leaves behind: its data files (without a lock of a live process).
      expect((await stat(join(dbPath, 'data.mdb'))).size).toBeGreaterThan(20 * MB);
      for (const f of await readdir(dbPath))
        if (f !== 'engine.lock') await copyFile(join(dbPath, f), join(crashImage, f));
    } finally {
      await client.close();
      await engine.close();
    }
    const restarted = await startEngine({ port: 0, dbPath: crashImage });
    const again = await MongoClient.connect(restarted.uri);
    try {
      expectDocs(await again.db('big').collection<Blob>('blobs').find().sort({ _id: 1 }).toArray(), 20, MB);
    } finally {
      await again.close();
      await restarted.close();
    }
  });
});

describeEngine('reply batches capped at 16 MiB', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
    const coll = t.db.collection<Blob>('blobs');
    for (let start = 0; start < 60; start += 10) {
      await coll.insertMany(
        Array.from({ length: 10 }, (_, k) => ({ _id: start + k, data: new Binary(payload(start + k, MB)) })),
      );
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('find().toArray() returns all 60 documents of 1 MB in order, through getMore', async () => {
    expectDocs(await t.db.collection<Blob>('blobs').find().sort({ _id: 1 }).toArray(), 60, MB);
  });

  it('aggregate returns all 60 documents of 1 MB in order', async () => {
    expectDocs(
      await t.db
        .collection<Blob>('blobs')
        .aggregate([{ $sort: { _id: 1 } }])
        .toArray(),
      60,
      MB,
    );
  });

  it('cuts firstBatch and nextBatch by bytes, keeps the cursor open, and closes a singleBatch cursor after what fits', async () => {
    const first = await t.db.command({ find: 'blobs', sort: { _id: 1 }, batchSize: 1000 });
    const firstBatch = first.cursor.firstBatch as Document[];
    expect(firstBatch.length).toBeGreaterThan(0);
    expect(firstBatch.length).toBeLessThan(17);
    expect(first.cursor.id.toString()).not.toBe('0');
    let seen = firstBatch.length;
    let id = first.cursor.id;
    while (id.toString() !== '0') {
      const more = await t.db.command({ getMore: id, collection: 'blobs' });
      const nextBatch = more.cursor.nextBatch as Document[];
      expect(nextBatch.length).toBeGreaterThan(0);
      expect(nextBatch.length).toBeLessThan(17);
      expect(itemAt(nextBatch, 0)._id).toBe(seen);
      seen += nextBatch.length;
      id = more.cursor.id;
    }
    expect(seen).toBe(60);

    const single = await t.db.command({ find: 'blobs', sort: { _id: 1 }, singleBatch: true });
    expect(single.cursor.firstBatch.length).toBe(firstBatch.length);
    expect(single.cursor.id.toString()).toBe('0');
  });

  it('returns a single document larger than nothing else fits with it', async () => {
    const coll = t.db.collection<Blob>('huge');
    await coll.insertMany([
      { _id: 1, data: new Binary(payload(1, 15 * MB)) },
      { _id: 2, data: new Binary(payload(2, 15 * MB)) },
    ]);
    const reply = await t.db.command({ find: 'huge', sort: { _id: 1 } });
    expect(reply.cursor.firstBatch).toHaveLength(1);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });
});
