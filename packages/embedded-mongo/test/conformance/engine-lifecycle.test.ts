import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal128, Double, Long, MongoClient } from 'mongodb';
import { RunningEngine, startEngine } from '../../src';
import { usingRealMongo } from '../support/test-database';
import { killAllEngines, spawnEngine } from './engine-process';
import { serverError } from './server-error';

/** Engine-only: persistence across restarts, loopback binding and the CLI. Skipped on a real server. */
const describeEngine = usingRealMongo ? describe.skip : describe;

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cjpf-engine-life-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await killAllEngines();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Resolves with 'connected', or with why the connection failed (e.g. ECONNREFUSED). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describeEngine('embedded engine persistence', () => {
  it('brings back documents with their exact types, indexes with uniqueness enforced, and drops, after a restart on the same dbPath', async () => {
    const dbPath = await tempDir();
    let engine: RunningEngine = await startEngine({ port: 0, dbPath });
    let client = await MongoClient.connect(engine.uri);
    try {
      const c = client.db('p').collection('people');
      await c.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
      await c.insertMany([
        { _id: 1, email: 'a@x.mx', name: 'Cédula ñ' },
        { _id: 2, email: 'b@x.mx' },
      ] as never[]);
      await c.updateOne({ _id: 2 as never }, { $set: { n: 1 } });
      await c.deleteOne({ _id: 1 as never });
      await c.insertOne({ _id: 3 as never, email: 'c@x.mx' });
      await c.createIndex({ tmp: 1 });
      await c.dropIndex('tmp_1');
      await client.db('p').collection('dropped').insertOne({ a: 1 });
      await client.db('p').collection('dropped').drop();
      await client.db('gone').collection('x').insertOne({ a: 1 });
      await client.db('gone').dropDatabase();
      await client
        .db('p')
        .collection('typed')
        .insertOne({
          _id: 't' as never,
          d: new Double(2),
          l: Long.fromString('9007199254740993'),
          dec: Decimal128.fromString('0.1'),
          at: new Date(0),
        });
    } finally {
      await client.close();
      await engine.close();
    }
    engine = await startEngine({ port: 0, dbPath });
    client = await MongoClient.connect(engine.uri);
    try {
      const c = client.db('p').collection('people');
      expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 2, email: 'b@x.mx', n: 1 },
        { _id: 3, email: 'c@x.mx' },
      ]);
      const names = (await c.listIndexes().toArray()).map((i) => i.name).sort();
      expect(names).toEqual(['_id_', 'email_unique']);
      const e = await serverError(c.insertOne({ email: 'b@x.mx' }));
      expect(e.code).toBe(11000);
      expect((await client.db('p').listCollections().toArray()).map((x) => x.name).sort()).toEqual(['people', 'typed']);
      const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
      expect(databases.map((d) => d.name)).not.toContain('gone');
      const [types] = await client
        .db('p')
        .collection('typed')
        .aggregate([
          { $project: { d: { $type: '$d' }, l: { $type: '$l' }, dec: { $type: '$dec' }, at: { $type: '$at' } } },
        ])
        .toArray();
      expect(types).toEqual({ _id: 't', d: 'double', l: 'long', dec: 'decimal', at: 'date' });
      const typed = await client.db('p').collection('typed').findOne({}, { promoteLongs: false });
      expect(String(typed?.l)).toBe('9007199254740993');
      expect(String(typed?.dec)).toBe('0.1');
    } finally {
      await client.close();
      await engine.close();
    }
  });
});

describeEngine('embedded engine network binding', () => {
  it('announces 127.0.0.1 and accepts connections only on the loopback address', async () => {
    const engine = await startEngine({ port: 0 });
    try {
      expect(engine.uri).toMatch(new RegExp(`^mongodb://127\\.0\\.0\\.1:${engine.port}/`));
      expect(await tryConnect('127.0.0.1', engine.port)).toBe('connected');
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && !i.internal)
        .map((i) => i!.address);
      for (const address of [...others, '::1']) {
        expect(`${address}: ${await tryConnect(address, engine.port)}`).not.toBe(`${address}: connected`);
      }
    } finally {
      await engine.close();
    }
  });

  it('refuses to listen on a non-loopback address', async () => {
    await expect(startEngine({ port: 0, host: '0.0.0.0' })).rejects.toThrow();
  });
});

describeEngine('embedded engine CLI', () => {
  it('prints the URI on one line, serves it, keeps data across runs and exits 0 on SIGTERM and SIGINT', async () => {
    const dbPath = await tempDir();
    const first = await spawnEngine(dbPath);
    expect(first.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/?.*replicaSet=/);
    const client = await MongoClient.connect(first.uri);
    await client
      .db('cli')
      .collection('c')
      .insertOne({ _id: 'kept' as never });
    await client.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = await spawnEngine(dbPath);
    const again = await MongoClient.connect(second.uri);
    expect(await again.db('cli').collection('c').findOne({})).toEqual({ _id: 'kept' });
    await again.close();
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
