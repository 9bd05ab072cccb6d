import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Binary, Decimal128, Double, EJSON, Int32, Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { startEngine, RunningEngine } from '@cjpf/embedded-mongo';
import { dumpDatabase } from '../../../services/backup/dump';
import { parseBackupArgs } from '../../../services/backup/cli';
import { bsonDocuments, restoreDatabase } from '../../../services/backup/restore';
import { AppError } from '../../../services/errors';

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

describe('database dump and restore (mongodump layout)', () => {
  let dir: string;
  let engine: RunningEngine;
  let client: MongoClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cjpf-backup-'));
    engine = await startEngine({ port: 0, dbPath: join(dir, 'engine') });
    client = await MongoClient.connect(engine.uri);
  });
  afterAll(async () => {
    await client?.close();
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sample = {
    _id: new ObjectId(),
    folio: 'OS-2026-000001',
    int: new Int32(7),
    double: new Double(1),
    long: Long.fromString('9007199254740993'),
    decimal: Decimal128.fromString('12.50'),
    when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    bin: new Binary(Buffer.from([0, 1, 2, 255]), 0),
    nested: { list: [1, 'dos', null, { tres: true }] },
    nothing: null,
  };

  it('restores every document with its exact BSON types, and the indexes with their options', async () => {
    const source = client.db('origen');
    await source.collection('orders').insertOne(sample);
    await source.collection('orders').insertMany(
      Array.from({ length: 2500 }, (_, i) => ({
        folio: `OS-2026-${String(i + 2).padStart(6, '0')}`,
        centreId: i % 2 ? 'a' : 'b',
      })),
    );
    await source.collection('orders').createIndex({ folio: 1 }, { unique: true, name: 'folio_unique' });
    await source.collection('orders').createIndex({ centreId: 1, folio: -1 }, { name: 'by_centre' });
    await source.collection('people').insertOne({ _id: 'ana' as unknown as ObjectId, name: 'Ana' });

    const dumped = await dumpDatabase(client, 'origen', join(dir, 'dump1'));
    expect(dumped.consistency).toBe('snapshot');
    expect(dumped.collections).toEqual([
      { name: 'orders', documents: 2501 },
      { name: 'people', documents: 1 },
    ]);
    expect((await readdir(join(dir, 'dump1', 'origen'))).sort()).toEqual([
      'orders.bson',
      'orders.metadata.json',
      'people.bson',
      'people.metadata.json',
    ]);
    const metadata = JSON.parse(readFileSync(join(dir, 'dump1', 'origen', 'orders.metadata.json'), 'utf8'));
    expect(metadata).toMatchObject({ collectionName: 'orders', type: 'collection', options: {} });
    expect(metadata.indexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'folio_unique', unique: true, key: { folio: { $numberInt: '1' } } }),
      ]),
    );
    const firstDoc = bsonDocuments(readFileSync(join(dir, 'dump1', 'origen', 'orders.bson')), 'orders.bson').next()
      .value;
    expect(firstDoc?.folio).toBeDefined();

    const restored = await restoreDatabase(client, 'destino', join(dir, 'dump1'));
    expect(restored.collections).toEqual([
      { name: 'orders', documents: 2501, indexes: 2 },
      { name: 'people', documents: 1, indexes: 0 },
    ]);
    const target = client.db('destino');
    const raw = { promoteValues: false, promoteBuffers: false } as const;
    const back = await target.collection('orders').findOne({ _id: sample._id }, raw);
    expect(EJSON.stringify(back, { relaxed: false })).toBe(
      EJSON.stringify(await source.collection('orders').findOne({ _id: sample._id }, raw), { relaxed: false }),
    );
    expect(back?.long).toBeInstanceOf(Long);
    expect(back?.double).toBeInstanceOf(Double);
    expect(await target.collection('orders').countDocuments()).toBe(2501);
    const names = (await target.collection('orders').listIndexes().toArray()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'by_centre', 'folio_unique']);
    await expect(target.collection('orders').insertOne({ folio: 'OS-2026-000001' })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('refuses to restore into a database that holds data, and replaces it only when told', async () => {
    const error = await restoreDatabase(client, 'destino', join(dir, 'dump1')).catch((e: unknown) => e);
    expect(AppError.is(error, 'CONFLICT')).toBe(true);
    expect((error as AppError).userMessage).toMatch(/--replace/);
    await client.db('destino').collection('leftover').insertOne({ x: 1 });
    const replaced = await restoreDatabase(client, 'destino', join(dir, 'dump1'), { replace: true });
    expect(replaced.dropped).toEqual(expect.arrayContaining(['orders', 'people', 'leftover']));
    expect((await client.db('destino').listCollections().toArray()).map((c) => c.name).sort()).toEqual([
      'orders',
      'people',
    ]);
    expect(await client.db('destino').collection('orders').countDocuments()).toBe(2501);
  });

  it('takes a dump at one instant while another client keeps writing', async () => {
    // Each write adds an order and bumps its counter in one transaction, as a report does: a
    // dump read at one instant always has as many orders as the counter says.
    const db = client.db('vivo');
    await db.collection('counters').insertOne({ _id: 'orders' as unknown as ObjectId, seq: 0 });
    await db.collection('orders').insertOne({ seq: 0 });
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      const writerClient = await MongoClient.connect(engine.uri);
      try {
        while (writing) {
          await writerClient.withSession((s) =>
            s.withTransaction(async () => {
              const counter = await writerClient
                .db('vivo')
                .collection('counters')
                .findOneAndUpdate(
                  { _id: 'orders' as unknown as ObjectId },
                  { $inc: { seq: 1 } },
                  { session: s, returnDocument: 'after' },
                );
              await writerClient.db('vivo').collection('orders').insertOne({ seq: counter!.seq }, { session: s });
            }),
          );
          writes++;
        }
      } finally {
        await writerClient.close();
      }
    })();
    try {
      while (writes < 20) await new Promise((r) => setTimeout(r, 10));
      for (let round = 0; round < 3; round++) {
        const out = join(dir, `live-${round}`);
        await dumpDatabase(client, 'vivo', out);
        const counters = [...bsonDocuments(readFileSync(join(out, 'vivo', 'counters.bson')), 'counters.bson')];
        const orders = [...bsonDocuments(readFileSync(join(out, 'vivo', 'orders.bson')), 'orders.bson')];
        expect(orders.length - 1).toBe(Number(counters[0]!.seq));
      }
    } finally {
      writing = false;
      await writer;
    }
    expect(writes).toBeGreaterThan(20);
  });

  it('parses the command line of dump and restore', () => {
    expect(parseBackupArgs(['dump', '--out', 'x'])).toEqual({ command: 'dump', out: resolve('x'), uri: undefined });
    expect(parseBackupArgs(['restore', '--from', 'x', '--replace'])).toEqual({
      command: 'restore',
      from: resolve('x'),
      replace: true,
      uri: undefined,
    });
    expect(() => parseBackupArgs(['dump'])).toThrow(AppError);
    expect(() => parseBackupArgs(['restore', '--from', 'x', '--out', 'y'])).toThrow(AppError);
    expect(() => parseBackupArgs(['dump', '--out', 'x', '--force'])).toThrow(AppError);
  });

  it('works as npm run db: dump, then a refused and a forced restore', async () => {
    if (!existsSync(join(ROOT, 'dist/services/backup/cli.js'))) await run('npm', ['run', '-s', 'build'], { cwd: ROOT });
    const cli = join(ROOT, 'dist/services/backup/cli.js');
    const env = {
      PATH: process.env.PATH,
      CEDULA_SECRET: 'backup-test-cedula-secret-0123456789abcdef',
      MONGODB_URI: `${engine.uri.replace(/\/(\?|$)/, '/origen$1')}`,
    };
    const dumped = await run(process.execPath, [cli, 'dump', '--out', join(dir, 'cli')], { cwd: dir, env });
    expect(dumped.stdout).toMatch(/orders: 2501 documentos/);
    expect(existsSync(join(dir, 'cli', 'origen', 'orders.bson'))).toBe(true);
    const refused = await run(process.execPath, [cli, 'restore', '--from', join(dir, 'cli')], { cwd: dir, env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/ya tiene datos.*--replace/) });
    const forced = await run(process.execPath, [cli, 'restore', '--from', join(dir, 'cli'), '--replace'], {
      cwd: dir,
      env,
    });
    expect(forced.stdout).toMatch(/Restaurada origen/);
  }, 180_000);
});
