/**
 * The engine on a worker thread, as the service runs it: only the compiled package has the
 * thread's entry, so this suite loads the build (`npm test` builds before jest runs).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type * as Engine from '../src/index';

const BUILT = join(__dirname, '..', 'dist', 'src', 'index.js');
if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` before this suite`);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startEngine } = require(BUILT) as typeof Engine;

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}
function recorder() {
  const lines: Line[] = [];
  const at = (level: string) => (obj: object, msg?: string) =>
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn') } };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-thread-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('engine on a worker thread', () => {
  it('serves the driver, keeps what it stored across a restart, and closes its thread', async () => {
    const failures: Error[] = [];
    const first = await startEngine({ dbPath: dir, thread: { onFailure: (e) => failures.push(e) } });
    const client = await MongoClient.connect(first.uri);
    try {
      await client
        .db('d')
        .collection('c')
        .insertMany([
          { _id: 1 as never, n: 'uno' },
          { _id: 2 as never, n: 'dos' },
        ]);
      const session = client.startSession();
      await session.withTransaction(async () => {
        await client
          .db('d')
          .collection('c')
          .updateOne({ _id: 1 as never }, { $set: { n: 'one' } }, { session });
      });
      await session.endSession();
    } finally {
      await client.close();
    }
    await first.close();
    // The port is free again: the thread stopped listening and let go of the store.
    const second = await startEngine({ dbPath: dir, thread: {} });
    const again = await MongoClient.connect(second.uri);
    try {
      expect(await again.db('d').collection('c').find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 1, n: 'one' },
        { _id: 2, n: 'dos' },
      ]);
    } finally {
      await again.close();
      await second.close();
    }
    expect(failures).toEqual([]);
  });

  it('relays log lines at the level asked for, and only those', async () => {
    const quiet = recorder();
    const engine = await startEngine({ dbPath: dir, logger: quiet.logger, thread: { level: 'warn' } });
    const client = await MongoClient.connect(engine.uri);
    await client.db('d').collection('c').insertOne({ a: 1 });
    await client.close();
    await engine.close();
    expect(quiet.lines.filter((l) => l.level === 'debug' || l.level === 'info')).toEqual([]);

    const chatty = recorder();
    const again = await startEngine({ dbPath: dir, logger: chatty.logger, thread: { level: 'debug' } });
    const c2 = await MongoClient.connect(again.uri);
    await c2.db('d').collection('c').findOne({});
    await c2.close();
    await again.close();
    expect(chatty.lines.length).toBeGreaterThan(0);
  });

  it('rejects the start with the thread’s own error when the store is held by another engine', async () => {
    const holder = await startEngine({ dbPath: dir, thread: {} });
    try {
      await expect(startEngine({ dbPath: dir, thread: {} })).rejects.toThrow(/in use by another running engine/);
    } finally {
      await holder.close();
    }
  });

  it('runs on the calling thread when loaded from sources, and says so', async () => {
    const log = recorder();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fromSources = require('../src/index') as typeof Engine;
    const engine = await fromSources.startEngine({ dbPath: dir, logger: log.logger, thread: {} });
    try {
      expect(log.lines.some((l) => l.msg?.includes('runs on the calling thread'))).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
