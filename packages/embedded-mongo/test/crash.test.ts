import { randomBytes, randomInt } from 'node:crypto';
import { appendFile, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, MongoClient, MongoServerError } from 'mongodb';
import { usingRealMongo } from './support/test-database';
import { EngineProcess, killAllEngines, spawnEngine } from './conformance/engine-process';

/**
 * Crash safety of the embedded engine (skipped on a real server): the engine process is killed
 * with SIGKILL while writes are in flight, restarted on the same data directory, and what it
 * brings back is compared with what the clients were told.
 */
const describeEngine = usingRealMongo ? describe.skip : describe;

const ROUNDS = 10;
const TXN_DOCS = 3;
const dirs: string[] = [];
afterAll(async () => {
  await killAllEngines();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cjpf-engine-crash-'));
  dirs.push(dir);
  return dir;
}

/**
 * The timeouts only bound a hang: the engine is listening once it printed its URI, and a busy
 * machine may take seconds to schedule it. Writers stop at the kill because the client is
 * closed then, not because a timeout runs out.
 */
function connect(uri: string): Promise<MongoClient> {
  return MongoClient.connect(uri, { retryWrites: false, serverSelectionTimeoutMS: 20_000, connectTimeoutMS: 20_000 });
}

async function kill(engine: EngineProcess): Promise<void> {
  if (engine.child.pid !== undefined) process.kill(engine.child.pid, 'SIGKILL');
  await engine.exited;
}

/** What the clients were told (acked) and what they asked for (attempted), across all rounds. */
interface Ledger {
  itemsAcked: Set<string>;
  itemsAttempted: Set<string>;
  counterAcked: number;
  counterAttempted: number;
  txnsAcked: Set<string>;
  txnsAttempted: Set<string>;
}

/**
 * Acknowledged writes in the current round; `reached(n)` resolves once the writers together
 * have had n writes acknowledged, which is when the round kills the engine.
 */
class AckCounter {
  private count = 0;
  private waiting: { n: number; resolve: () => void }[] = [];

  ack(): void {
    this.count += 1;
    this.waiting = this.waiting.filter((w) => (this.count >= w.n ? (w.resolve(), false) : true));
  }

  reached(n: number): Promise<void> {
    return this.count >= n ? Promise.resolve() : new Promise((resolve) => this.waiting.push({ n, resolve }));
  }
}

/**
 * Writes until the engine is killed: acknowledged inserts and updates, and multi-document
 * transactions. An error before the kill (a write conflict between the two writers) is skipped.
 */
async function writer(
  client: MongoClient,
  ledger: Ledger,
  acks: AckCounter,
  tag: string,
  killed: () => boolean,
): Promise<void> {
  const db = client.db('crash');
  for (let i = 0; ; i += 1) {
    const pick = Math.random();
    try {
      if (pick < 0.55) {
        const id = `${tag}-${i}`;
        ledger.itemsAttempted.add(id);
        await db.collection('items').insertOne({ _id: id as never, k: `k-${id}` });
        ledger.itemsAcked.add(id);
        acks.ack();
      } else if (pick < 0.8) {
        ledger.counterAttempted += 1;
        await db.collection('counters').updateOne({ _id: 'c' as never }, { $inc: { n: 1 } }, { upsert: true });
        ledger.counterAcked += 1;
        acks.ack();
      } else {
        const tid = `${tag}-t${i}`;
        ledger.txnsAttempted.add(tid);
        const session = client.startSession();
        try {
          session.startTransaction();
          for (let j = 0; j < TXN_DOCS; j += 1) {
            await db.collection('txdocs').insertOne({ _id: `${tid}-${j}` as never, tid }, { session });
          }
          await db
            .collection('txtotal')
            .updateOne({ _id: 'total' as never }, { $inc: { n: 1 } }, { session, upsert: true });
          await session.commitTransaction();
          ledger.txnsAcked.add(tid);
          acks.ack();
        } catch (error) {
          if (session.inTransaction() && !killed()) await session.abortTransaction().catch(() => undefined);
          throw error;
        } finally {
          await session.endSession().catch(() => undefined);
        }
      }
    } catch {
      if (killed()) return;
    }
  }
}

/** Checks the restarted engine against the ledger, then makes what it holds the new baseline. */
async function verify(client: MongoClient, ledger: Ledger): Promise<void> {
  const db = client.db('crash');
  const items = await db.collection('items').find().toArray();
  const present = new Set(items.map((d) => String(d._id)));
  for (const id of ledger.itemsAcked) expect(present.has(id) ? id : `lost ${id}`).toBe(id);
  for (const id of present) expect(ledger.itemsAttempted.has(id) ? id : `never attempted ${id}`).toBe(id);
  for (const d of items) expect(d.k).toBe(`k-${String(d._id)}`);

  const n = ((await db.collection('counters').findOne({ _id: 'c' as never }))?.n as number | undefined) ?? 0;
  expect(n).toBeGreaterThanOrEqual(ledger.counterAcked);
  expect(n).toBeLessThanOrEqual(ledger.counterAttempted);

  const groups = await db
    .collection('txdocs')
    .aggregate<Document>([{ $group: { _id: '$tid', n: { $sum: 1 } } }])
    .toArray();
  const txns = new Set(groups.map((g) => String(g._id)));
  for (const g of groups) expect({ tid: g._id, docs: g.n }).toEqual({ tid: g._id, docs: TXN_DOCS });
  for (const tid of ledger.txnsAcked) expect(txns.has(tid) ? tid : `lost transaction ${tid}`).toBe(tid);
  for (const tid of txns) expect(ledger.txnsAttempted.has(tid) ? tid : `never attempted ${tid}`).toBe(tid);
  const total = ((await db.collection('txtotal').findOne({ _id: 'total' as never }))?.n as number | undefined) ?? 0;
  expect(total).toBe(txns.size);

  const someKey = items[randomInt(items.length)]?.k as string | undefined;
  if (someKey) {
    const dup = await db
      .collection('items')
      .insertOne({ k: someKey })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(dup).toBeInstanceOf(MongoServerError);
    expect((dup as MongoServerError).code).toBe(11000);
  }

  ledger.itemsAcked = new Set(present);
  ledger.itemsAttempted = new Set(present);
  ledger.counterAcked = n;
  ledger.counterAttempted = n;
  ledger.txnsAcked = new Set(txns);
  ledger.txnsAttempted = new Set(txns);
}

/** Every file under `dir`, newest first, preferring names that look like a journal. */
async function newestJournalFile(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        return { path, mtime: (await stat(path)).mtimeMs, journal: /journal|wal|log|oplog/i.test(e.name) };
      }),
  );
  const pool = files.some((f) => f.journal) ? files.filter((f) => f.journal) : files;
  pool.sort((a, b) => b.mtime - a.mtime);
  if (!pool[0]) throw new Error(`no files in ${dir}`);
  return pool[0].path;
}

async function insertSequence(uri: string, from: number, to: number): Promise<void> {
  const client = await connect(uri);
  try {
    for (let i = from; i < to; i += 1)
      await client
        .db('crash')
        .collection('seq')
        .insertOne({ _id: i as never, pad: 'p'.repeat(200) });
  } finally {
    await client.close();
  }
}

async function sequenceIds(uri: string): Promise<number[]> {
  const client = await connect(uri);
  try {
    return (await client.db('crash').collection('seq').find().sort({ _id: 1 }).toArray()).map(
      (d) => d._id as unknown as number,
    );
  } finally {
    await client.close();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describeEngine('embedded engine crash safety', () => {
  it('keeps every acknowledged write and nothing unattempted across 10 SIGKILLs mid-write', async () => {
    const dbPath = await tempDir();
    const ledger: Ledger = {
      itemsAcked: new Set(),
      itemsAttempted: new Set(),
      counterAcked: 0,
      counterAttempted: 0,
      txnsAcked: new Set(),
      txnsAttempted: new Set(),
    };
    let engine = await spawnEngine(dbPath);
    const setup = await connect(engine.uri);
    await setup.db('crash').collection('items').createIndex({ k: 1 }, { unique: true });
    await setup.db('crash').createCollection('txdocs');
    await setup.db('crash').createCollection('txtotal');
    await setup.close();
    let rounds = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      rounds += 1;
      const client = await connect(engine.uri);
      let killed = false;
      const acks = new AckCounter();
      const writers = [
        writer(client, ledger, acks, `r${round}a`, () => killed),
        writer(client, ledger, acks, `r${round}b`, () => killed),
      ];
      // Killed after a random number of acknowledged writes, with both writers still writing:
      // the kill lands mid-write however fast or slow the machine is.
      await acks.reached(randomInt(5, 80));
      killed = true;
      await kill(engine);
      await client.close(true).catch(() => undefined);
      await Promise.all(writers);

      engine = await spawnEngine(dbPath);
      const check = await connect(engine.uri);
      try {
        await verify(check, ledger);
      } finally {
        await check.close();
      }
    }
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);
    expect(rounds).toBe(ROUNDS);
  }, 600_000);

  it('ignores garbage appended to the newest journal file and keeps appending after it', async () => {
    const dbPath = await tempDir();
    let engine = await spawnEngine(dbPath);
    await insertSequence(engine.uri, 0, 40);
    await kill(engine);
    const torn = Buffer.concat([Buffer.from([0xe8, 0x03, 0x00, 0x00]), randomBytes(150)]);
    await appendFile(await newestJournalFile(dbPath), torn);

    engine = await spawnEngine(dbPath);
    expect(await sequenceIds(engine.uri)).toEqual(range(0, 40));
    await insertSequence(engine.uri, 40, 60);
    await kill(engine);

    engine = await spawnEngine(dbPath);
    expect(await sequenceIds(engine.uri)).toEqual(range(0, 60));
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);
  }, 300_000);

  it('drops only a half-written last record when the newest journal file is cut short', async () => {
    const dbPath = await tempDir();
    let engine = await spawnEngine(dbPath);
    await insertSequence(engine.uri, 0, 30);
    await kill(engine);
    const file = await newestJournalFile(dbPath);
    await truncate(file, Math.max(0, (await stat(file)).size - 5));

    engine = await spawnEngine(dbPath);
    const ids = await sequenceIds(engine.uri);
    expect(ids.length).toBeGreaterThanOrEqual(29);
    expect(ids).toEqual(range(0, ids.length));
    await insertSequence(engine.uri, 100, 110);
    await kill(engine);

    engine = await spawnEngine(dbPath);
    expect(await sequenceIds(engine.uri)).toEqual([...range(0, ids.length), ...range(100, 110)]);
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);
  }, 300_000);
});
