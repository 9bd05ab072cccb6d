/**
 * How the engine's costs grow with data: for each size, seeds realistic service orders (about
 * 3 KB each: a folio, a state, a centre, an engineer once assigned, dates, a history and a
 * description; the service's indexes) into a fresh data directory, then runs the engine as its
 * own process, as the service would find it after a restart, and prints: open time (spawn to
 * URI), heap and resident memory after open and after the queries, p50/p95 of the order lists
 * the bot, the API and the staff tab run (each a find with sort + limit and its count, as
 * OrderStore.list does), the SLA report's read (every order of the period with the report's
 * projection, as MongoReportSource does) and SIGTERM-to-exit time; then each figure's
 * largest ÷ smallest ratio.
 *
 * `npm run -w @cjpf/embedded-mongo bench:growth [-- 1000,10000,100000] [--force]`: refuses
 * (exit 3) when the 1-minute load average is above half the cores, unless `--force`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Collection, Document, MongoClient } from 'mongodb';

const CHILD = join(__dirname, 'growth-child.js');
const CENTRES = ['CJPF-CDMX', 'CJPF-GDL', 'CJPF-MTY'];
const STATES = ['registrada', 'asignada', 'en_atencion', 'turnada_proveedor', 'resuelta', 'validada', 'cerrada'];
const ENGINEERS = Array.from({ length: 30 }, (_, i) => `ing-${i}`);
const SAMPLES = 60;
const DAY = 24 * 3600 * 1000;
const REPORT_PROJECTION = {
  status: 1,
  priority: 1,
  centreId: 1,
  provider: 1,
  timestamps: 1,
  history: 1,
  createdAt: 1,
};

function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)`;
}

interface Running {
  child: ChildProcess;
  uri: string;
  exited: Promise<void>;
}

function startChild(dbPath: string): Promise<Running> {
  const child = spawn(process.execPath, [CHILD, dbPath], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, uri: line.trim(), exited }));
    void exited.then(() => reject(new Error('engine exited before printing its URI')));
  });
}

async function memory(r: Running): Promise<{ heapMb: number; rssMb: number }> {
  const usage = await new Promise<NodeJS.MemoryUsage>((resolve) => {
    r.child.once('message', (m) => resolve(m as NodeJS.MemoryUsage));
    r.child.send('mem');
  });
  const status = await readFile(`/proc/${r.child.pid}/status`, 'utf8');
  return { heapMb: usage.heapUsed / 1048576, rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
}

/** One order as the service stores it, about 3 KB. */
function order(i: number, start: number): Record<string, unknown> {
  const createdAt = new Date(start + Math.floor(i / 30) * DAY + (i % 30) * 1800_000);
  const status = STATES[i % STATES.length]!;
  return {
    folio: `OS-2026-${String(i).padStart(6, '0')}`,
    status,
    priority: ['alta', 'media', 'baja'][i % 3],
    centreId: CENTRES[i % CENTRES.length],
    requester: { personId: `p-${i % 400}`, name: `Persona ${i % 400}`, email: `persona${i % 400}@cjf.gob.mx` },
    ...(i % STATES.length > 0 && { engineer: { personId: ENGINEERS[i % ENGINEERS.length], name: 'Ingeniero' } }),
    equipment: { kind: 'impresora', serial: `SN-${i}` },
    description: `Falla reportada número ${i}. `.repeat(60).slice(0, 2000),
    history: Array.from({ length: 4 }, (_, h) => ({
      at: new Date(createdAt.getTime() + h * 3600_000),
      to: STATES[h],
      by: `aad-${h}`,
      note: 'cambio de estado registrado por el sistema',
    })),
    timestamps: { createdAt, updatedAt: createdAt },
    createdAt,
    version: 4,
  };
}

async function seed(uri: string, n: number, start: number): Promise<void> {
  const client = await MongoClient.connect(uri);
  try {
    const orders = client.db('growth').collection('orders');
    // The indexes OrderStore and MongoReportSource create.
    await orders.createIndex({ folio: 1 }, { unique: true });
    await orders.createIndex({ status: 1, centreId: 1 });
    await orders.createIndex({ 'requester.personId': 1 });
    await orders.createIndex({ 'engineer.personId': 1 });
    await orders.createIndex({ createdAt: 1 });
    await orders.createIndex({ outboxPending: 1 }, { sparse: true });
    await orders.createIndex({ centreId: 1, createdAt: 1 });
    for (let from = 0; from < n; from += 1000) {
      await orders.insertMany(Array.from({ length: Math.min(1000, n - from) }, (_, k) => order(from + k, start)));
    }
  } finally {
    await client.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** A list as OrderStore.list runs it: one page newest first, and the total, together. */
async function list(orders: Collection, filter: Document): Promise<void> {
  await Promise.all([
    orders
      .find(filter, { projection: { outbox: 0, outboxPending: 0 } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(20)
      .toArray(),
    orders.countDocuments(filter),
  ]);
}

async function timed(samples: number, run: (q: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let q = 0; q < samples; q += 1) {
    const t0 = process.hrtime.bigint();
    await run(q);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

async function measure(n: number): Promise<Record<string, string>> {
  const dbPath = await mkdtemp(join(tmpdir(), 'engine-growth-'));
  const start = Date.UTC(2026, 0, 1);
  try {
    const seeding = await startChild(dbPath);
    await seed(seeding.uri, n, start);
    seeding.child.kill('SIGTERM');
    await seeding.exited;

    const t0 = process.hrtime.bigint();
    const engine = await startChild(dbPath);
    const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const memOpen = await memory(engine);
    const client = await MongoClient.connect(engine.uri);
    const orders = client.db('growth').collection('orders');
    const days = Math.max(1, Math.ceil(n / 30));
    const row: Record<string, string> = { orders: n.toLocaleString('en-US'), 'open ms': openMs.toFixed(0) };
    const lists: Record<string, (q: number) => Document> = {
      state: (q) => ({ status: STATES[q % STATES.length] }),
      'centre+dates': (q) => {
        const from = new Date(start + ((q * 7) % days) * DAY);
        return { centreId: CENTRES[q % 3], createdAt: { $gte: from, $lt: new Date(from.getTime() + 30 * DAY) } };
      },
      engineer: (q) => ({ 'engineer.personId': ENGINEERS[q % ENGINEERS.length] }),
      newest: () => ({}),
    };
    for (const [name, filter] of Object.entries(lists)) {
      const times = await timed(SAMPLES, (q) => list(orders, filter(q)));
      row[`${name} p50 ms`] = percentile(times, 0.5).toFixed(1);
      row[`${name} p95 ms`] = percentile(times, 0.95).toFixed(1);
    }
    const report = await timed(3, async () => {
      let count = 0;
      const cursor = orders.find(
        { createdAt: { $gte: new Date(start), $lt: new Date(start + (days + 1) * DAY) } },
        { hint: { createdAt: 1 }, projection: REPORT_PROJECTION, batchSize: 2000 },
      );
      for await (const _ of cursor) count += 1;
      if (count !== n) throw new Error(`the report read ${count} orders of ${n}`);
    });
    row['report ms'] = percentile(report, 0.5).toFixed(0);
    const memAfter = await memory(engine);
    await client.close();
    const c0 = process.hrtime.bigint();
    engine.child.kill('SIGTERM');
    await engine.exited;
    row['SIGTERM to exit ms'] = (Number(process.hrtime.bigint() - c0) / 1e6).toFixed(0);
    row['heap open MB'] = memOpen.heapMb.toFixed(0);
    row['heap after MB'] = memAfter.heapMb.toFixed(0);
    row['RSS open MB'] = memOpen.rssMb.toFixed(0);
    row['RSS after MB'] = memAfter.rssMb.toFixed(0);
    row.load = loadavg()[0]!.toFixed(2);
    return row;
  } finally {
    await rm(dbPath, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const sizes = (args.find((a) => /^\d/.test(a)) ?? '1000,10000,100000').split(',').map(Number);
  const limit = 0.5 * cpus().length;
  process.stdout.write(`engine growth — ${new Date().toISOString()}, ${loadLine()} before start\n`);
  if (loadavg()[0]! > limit) {
    if (!force) {
      process.stderr.write(
        `the machine is busy (1-minute load average ${loadavg()[0]!.toFixed(2)} > ${limit.toFixed(2)}), so its figures would not compare with other runs; run it when idle, or add --force\n`,
      );
      process.exit(3);
    }
    process.stdout.write('FORCED: measuring on a busy machine; these figures do not compare with idle runs\n');
  }
  const rows: Array<Record<string, string>> = [];
  for (const n of sizes) {
    rows.push(await measure(n));
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  if (rows.length > 1) {
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    const ratio: Record<string, string> = { orders: `${last.orders} ÷ ${first.orders}` };
    for (const key of Object.keys(last))
      if (key !== 'orders' && key !== 'load') ratio[key] = (Number(last[key]) / Number(first[key])).toFixed(2);
    rows.push(ratio);
  }
  console.table(rows);
  process.stdout.write(`${loadLine()} after\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
