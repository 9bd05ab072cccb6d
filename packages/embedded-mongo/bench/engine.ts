/**
 * Throughput figures of the embedded engine through the official driver, one client, on this
 * machine — or of the server in MONGODB_URI, for comparison (the restart figure is then skipped).
 * Run with `npm run bench:engine`. A script that prints figures, not a timed test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Collection, Db, Document, MongoClient } from 'mongodb';
import { RunningEngine, startEngine } from '../src';

const SMALL = 1_000;
const LARGE = 100_000;
const BATCH = 1_000;
const OPS = 3_000;

interface Row {
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
}

const WARMUP = 200;

/**
 * Runs `op` `count` times one after another and returns operations per second, after a warm-up
 * of up to WARMUP calls that use the indices count, count + 1, … (so every call gets its own index).
 */
async function rate(count: number, op: (i: number) => Promise<unknown>, warmup = WARMUP): Promise<number> {
  for (let i = count; i < count + Math.min(warmup, count); i += 1) await op(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) await op(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/**
 * Rates of two operations measured in alternating slices, so that load from elsewhere on the
 * machine weighs on both alike; returns [rate of a, rate of b] in operations per second.
 */
async function pairedRates(
  count: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
): Promise<[number, number]> {
  const slice = 250;
  let timeA = 0;
  let timeB = 0;
  for (let done = 0; done < count; done += slice) {
    const n = Math.min(slice, count - done);
    timeA += n / (await rate(n, (i) => a(done + i), 0));
    timeB += n / (await rate(n, (i) => b(done + i), 0));
  }
  return [count / timeA, count / timeB];
}

async function fill(c: Collection, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(to, i + BATCH); j += 1) docs.push({ k: `key-${j}`, v: j, note: 'Cédula ñ' });
    await c.insertMany(docs, { ordered: false });
  }
}

function randomKeys(size: number, count: number): string[] {
  return Array.from({ length: count }, () => `key-${Math.floor(Math.random() * size)}`);
}

/**
 * A notification queue as the outbox keeps it: `size` documents, PENDING of them pending and
 * due, a few claimed with an expired lease, the rest sent long ago; indexed like the dispatcher.
 */
async function fillQueue(c: Collection, size: number): Promise<void> {
  await c.createIndex({ state: 1, dueAt: 1 });
  await c.createIndex({ state: 1, leaseUntil: 1 });
  const past = Date.now() - 3_600_000;
  for (let i = 0; i < size; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(size, i + BATCH); j += 1) {
      const dueAt = new Date(past + j);
      if (j % Math.floor(size / PENDING) === 0) docs.push({ state: 'pending', dueAt, attempts: 0 });
      else if (j % Math.floor(size / PENDING) === 1 && j < size / 10)
        docs.push({ state: 'claimed', dueAt, leaseUntil: new Date(past), attempts: 1 });
      else docs.push({ state: 'sent', dueAt, sentAt: new Date(past + j + 1_000), attempts: 1 });
    }
    await c.insertMany(docs, { ordered: false });
  }
}

const PENDING = 50;
const QUEUE_OPS = 1_000;

const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')} ops/s`;

async function measure(db: Db, rows: Row[]): Promise<void> {
  // The first run only warms up the connection and the JIT; ping is reported next to findOne.
  await rate(OPS, () => db.admin().command({ ping: 1 }));

  const singles = db.collection('singles');
  await singles.createIndex({ k: 1 }, { unique: true });
  rows.push({
    figure: 'insertOne',
    value: perSecond(await rate(OPS, (i) => singles.insertOne({ k: `one-${i}`, v: i }))),
  });

  const batches = db.collection('batches');
  const batchRate = await rate(20, async (i) => {
    await batches.insertMany(
      Array.from({ length: BATCH }, (_, j) => ({ b: i, j, note: 'x' })),
      { ordered: false },
    );
  });
  rows.push({
    figure: `insertMany (batches of ${BATCH})`,
    value: `${Math.round(batchRate * BATCH).toLocaleString('en-US')} docs/s`,
  });

  const small = db.collection('lookups_small');
  const lookups = db.collection('lookups');
  for (const c of [small, lookups]) await c.createIndex({ k: 1 }, { unique: true });
  await fill(small, 0, SMALL);
  await fill(lookups, 0, LARGE);
  const smallKeys = randomKeys(SMALL, OPS + WARMUP);
  const largeKeys = randomKeys(LARGE, OPS + WARMUP);
  await rate(WARMUP, (i) => small.findOne({ k: smallKeys[i] }), 0);
  const [pingRate, findSmall] = await pairedRates(
    OPS,
    () => db.admin().command({ ping: 1 }),
    (i) => small.findOne({ k: smallKeys[i] }),
  );
  const [findSmallAgain, findLarge] = await pairedRates(
    OPS,
    (i) => small.findOne({ k: smallKeys[i] }),
    (i) => lookups.findOne({ k: largeKeys[i] }),
  );
  rows.unshift({ figure: 'ping (admin command)', value: perSecond(pingRate) });
  rows.push({
    figure: `findOne by unique index (${SMALL.toLocaleString('en-US')} docs)`,
    value: perSecond(findSmallAgain),
  });
  rows.push({ figure: `findOne by unique index (${LARGE.toLocaleString('en-US')} docs)`, value: perSecond(findLarge) });

  const updateKeys = randomKeys(LARGE, OPS + WARMUP);
  rows.push({
    figure: 'updateOne by unique index',
    value: perSecond(await rate(OPS, (i) => lookups.updateOne({ k: updateKeys[i] }, { $inc: { v: 1 } }))),
  });

  const ratio = findSmallAgain / findLarge;
  rows.push({
    figure: 'indexed lookup cost 100,000 / 1,000 docs',
    value: ratio.toFixed(2),
    target: '≤ 1.5',
    pass: ratio <= 1.5,
  });
  const share = (findSmall / pingRate) * 100;
  rows.push({
    figure: 'indexed findOne rate / ping rate',
    value: `${share.toFixed(0)}%`,
    target: '≥ 60%',
    pass: share >= 60,
  });
}

/**
 * The dispatcher's polling queries (next due notice, or next due or expired lease) over a small
 * and a large queue with the same number of pending notices: an index that serves them keeps
 * the cost flat as sent notices pile up.
 */
async function measureQueue(db: Db, rows: Row[]): Promise<void> {
  const small = db.collection('queue_small');
  const large = db.collection('queue');
  await fillQueue(small, SMALL);
  await fillQueue(large, LARGE);
  const due = (c: Collection) => c.findOne({ state: 'pending', dueAt: { $lte: new Date() } }, { sort: { dueAt: 1 } });
  const dueOrExpired = (c: Collection) => {
    const now = new Date();
    return c.findOne(
      {
        $or: [
          { state: 'pending', dueAt: { $lte: now } },
          { state: 'claimed', leaseUntil: { $lte: now } },
        ],
      },
      { sort: { dueAt: 1 } },
    );
  };
  for (const [name, query] of [
    ['pending and due', due],
    ['$or pending due / lease expired', dueOrExpired],
  ] as const) {
    await rate(WARMUP, () => query(small), 0);
    await rate(Math.min(WARMUP, 20), () => query(large), 0);
    const [smallRate, largeRate] = await pairedRates(
      QUEUE_OPS,
      () => query(small),
      () => query(large),
    );
    rows.push({
      figure: `findOne ${name} (${SMALL.toLocaleString('en-US')} docs, ${PENDING} pending)`,
      value: perSecond(smallRate),
    });
    rows.push({
      figure: `findOne ${name} (${LARGE.toLocaleString('en-US')} docs, ${PENDING} pending)`,
      value: perSecond(largeRate),
    });
    const ratio = smallRate / largeRate;
    rows.push({
      figure: `${name} cost 100,000 / 1,000 docs`,
      value: ratio.toFixed(2),
      target: '≤ 1.5',
      pass: ratio <= 1.5,
    });
  }
  // Not part of the restart figure, which measures the lookups collection alone.
  await small.drop();
  await large.drop();
}

const ORDERS = 2_000;
const HISTORY = 50;
const COUNT_OPS = 500;

function historyEntry(i: number): Record<string, unknown> {
  return {
    at: new Date(1_700_000_000_000 + i * 1_000),
    by: `analyst.${i % 7}`,
    action: 'status',
    note: `Cambio de estado número ${i}`,
  };
}

/**
 * The service's commonest write and poll on its orders: `$push` of one history entry onto an
 * order that already holds HISTORY of them, and countDocuments over ORDERS matching orders.
 */
async function measureOrders(db: Db, rows: Row[]): Promise<void> {
  const orders = db.collection('orders');
  for (let i = 0; i < ORDERS; i += BATCH) {
    const docs = [];
    for (let j = i; j < Math.min(ORDERS, i + BATCH); j += 1) {
      docs.push({
        folio: `F-${j}`,
        status: 'open',
        version: 1,
        requester: { personId: `p${j}`, name: `Persona ${j}` },
        history: Array.from({ length: HISTORY }, (_, k) => historyEntry(k)),
        outbox: [],
      });
    }
    await orders.insertMany(docs, { ordered: false });
  }
  const ids = (await orders.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  // Each call pushes onto the next order, so every order keeps about HISTORY entries.
  const push = await rate(OPS, (i) =>
    orders.updateOne({ _id: ids[i % ORDERS] }, { $push: { history: historyEntry(i) } } as Document),
  );
  rows.push({ figure: `updateOne $push onto a ${HISTORY}-entry history`, value: perSecond(push) });
  const count = await rate(COUNT_OPS, () => orders.countDocuments({ status: 'open' }), 20);
  rows.push({ figure: `countDocuments (${ORDERS.toLocaleString('en-US')} matching docs)`, value: perSecond(count) });
  // Not part of the restart figure, which measures the lookups collection alone.
  await orders.drop();
}

async function measureRestart(
  engine: RunningEngine,
  client: MongoClient,
  dbPath: string,
  dbName: string,
  rows: Row[],
): Promise<void> {
  await client.close();
  await engine.close();
  const start = process.hrtime.bigint();
  const restarted = await startEngine({ port: 0, dbPath });
  const again = await MongoClient.connect(restarted.uri);
  const found = await again
    .db(dbName)
    .collection('lookups')
    .findOne({ k: `key-${LARGE - 1}` });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const count = await again.db(dbName).collection('lookups').estimatedDocumentCount();
  await again.close();
  await restarted.close();
  const ok = found !== null && count === LARGE;
  rows.push({
    figure: `restart with ${LARGE.toLocaleString('en-US')} docs to first findOne`,
    value: ok ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(2)} s (data missing: ${count} docs)`,
    target: '≤ 3 s',
    pass: ok && seconds <= 3,
  });
}

function print(title: string, rows: Row[]): void {
  const figureWidth = Math.max(6, ...rows.map((r) => r.figure.length));
  const valueWidth = Math.max(5, ...rows.map((r) => r.value.length));
  const targetWidth = Math.max(6, ...rows.map((r) => (r.target ?? '').length));
  const line = (a: string, b: string, c: string, d: string) =>
    `${a.padEnd(figureWidth)}  ${b.padStart(valueWidth)}  ${c.padEnd(targetWidth)}  ${d}`;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  process.stdout.write(
    `\n${title}\n(load average ${load}: figures are noisy when other work shares the cores)\n${line('figure', 'value', 'target', 'result')}\n`,
  );
  process.stdout.write(`${'-'.repeat(figureWidth + valueWidth + targetWidth + 14)}\n`);
  for (const r of rows) {
    const result = r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS';
    process.stdout.write(`${line(r.figure, r.value, r.target ?? '', result)}\n`);
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dbName = `bench_${randomBytes(4).toString('hex')}`;
  const external = process.env.MONGODB_URI;
  if (external) {
    const client = await MongoClient.connect(external);
    try {
      await measure(client.db(dbName), rows);
      await measureQueue(client.db(dbName), rows);
      await measureOrders(client.db(dbName), rows);
    } finally {
      await client
        .db(dbName)
        .dropDatabase()
        .catch(() => undefined);
      await client.close();
    }
    print(`MongoDB at MONGODB_URI (restart figure skipped), one client, ${OPS} sequential ops per figure`, rows);
    return;
  }
  const dbPath = await mkdtemp(join(tmpdir(), 'cjpf-bench-'));
  let engine: RunningEngine | undefined;
  let client: MongoClient | undefined;
  try {
    engine = await startEngine({ port: 0, dbPath });
    client = await MongoClient.connect(engine.uri);
    await measure(client.db(dbName), rows);
    await measureQueue(client.db(dbName), rows);
    await measureOrders(client.db(dbName), rows);
    const [e, c] = [engine, client];
    engine = undefined;
    client = undefined;
    await measureRestart(e, c, dbPath, dbName, rows);
  } finally {
    await client?.close();
    await engine?.close();
    await rm(dbPath, { recursive: true, force: true });
  }
  print(`Embedded engine in-process (data in a temp dir), one client, ${OPS} sequential ops per figure`, rows);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
