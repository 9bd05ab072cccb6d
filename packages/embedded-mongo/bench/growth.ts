/**
 * How the engine's costs grow with data: for each size, seeds realistic service orders
 * (about 3 KB each: a folio, a state, a centre, dates, a history and a description) into a
 * fresh data directory, then runs the engine as its own process, as the service would find
 * it after a restart, and prints: open time (spawn to URI), resident memory after open and
 * after the queries, a list query (equality + date range + sort + limit, the shape of the
 * order lists) p50/p95, and SIGTERM-to-exit time.
 *
 * `npm run -w @cjpf/embedded-mongo bench:growth [-- 1000,10000,100000]`
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';

const CLI = join(__dirname, '..', 'src', 'cli.js');
const CENTRES = ['CJPF-CDMX', 'CJPF-GDL', 'CJPF-MTY'];
const STATES = ['registrada', 'asignada', 'en_atencion', 'turnada_proveedor', 'resuelta', 'validada', 'cerrada'];
const QUERIES = 200;
const DAY = 24 * 3600 * 1000;

interface Running {
  child: ChildProcess;
  uri: string;
  exited: Promise<void>;
}

function startCli(dbPath: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--dbpath', dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ child, uri: line.trim(), exited }));
    void exited.then(() => reject(new Error('engine exited before printing its URI')));
  });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
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
    requester: { aadId: `aad-${i % 400}`, name: `Persona ${i % 400}`, email: `persona${i % 400}@cjf.gob.mx` },
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
    await orders.createIndex({ folio: 1 }, { unique: true });
    await orders.createIndex({ centreId: 1, createdAt: 1 });
    await orders.createIndex({ status: 1, createdAt: 1 });
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

async function measure(n: number): Promise<Record<string, string>> {
  const dbPath = await mkdtemp(join(tmpdir(), 'engine-growth-'));
  const start = Date.UTC(2026, 0, 1);
  try {
    const seeding = await startCli(dbPath);
    await seed(seeding.uri, n, start);
    seeding.child.kill('SIGTERM');
    await seeding.exited;

    const t0 = process.hrtime.bigint();
    const engine = await startCli(dbPath);
    const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const rssOpen = await rssMb(engine.child.pid!);
    const client = await MongoClient.connect(engine.uri);
    const orders = client.db('growth').collection('orders');
    const days = Math.max(1, Math.ceil(n / 30));
    const times: number[] = [];
    for (let q = 0; q < QUERIES; q += 1) {
      const from = new Date(start + ((q * 7) % days) * DAY);
      const q0 = process.hrtime.bigint();
      await orders
        .find({ centreId: CENTRES[q % 3], createdAt: { $gte: from, $lt: new Date(from.getTime() + 30 * DAY) } })
        .sort({ createdAt: -1 })
        .limit(20)
        .toArray();
      times.push(Number(process.hrtime.bigint() - q0) / 1e6);
    }
    const rssAfter = await rssMb(engine.child.pid!);
    await client.close();
    const c0 = process.hrtime.bigint();
    engine.child.kill('SIGTERM');
    await engine.exited;
    const closeMs = Number(process.hrtime.bigint() - c0) / 1e6;
    times.sort((a, b) => a - b);
    return {
      orders: n.toLocaleString('en-US'),
      'open ms': openMs.toFixed(0),
      'RSS after open MB': rssOpen.toFixed(0),
      'RSS after queries MB': rssAfter.toFixed(0),
      'list p50 ms': percentile(times, 0.5).toFixed(1),
      'list p95 ms': percentile(times, 0.95).toFixed(1),
      'SIGTERM to exit ms': closeMs.toFixed(0),
    };
  } finally {
    await rm(dbPath, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const rows = [];
  for (const n of sizes) {
    rows.push(await measure(n));
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  console.table(rows);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
