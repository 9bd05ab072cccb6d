/**
 * How the service's costs grow with its data (`npm run bench:growth`): for 1,000, 10,000 and
 * 100,000 realistic orders (about 3 KB each, with histories; 30 a day over 3 centres, and
 * above 30 × 365 orders as many centres at 10 a day as one year needs, so that one year holds
 * them all), seeded through the driver into a fresh data directory, the service (`npm
 * start`'s program, embedded engine, its own process) is started on it and measured: start-up
 * to `listening`, heap and RSS after start and after the lists, p95 of every list the API and
 * the bot serve, the SLA report over all orders, and SIGTERM to exit; then each figure's
 * 100k ÷ 1k ratio. Lists are timed from this script over loopback, one request at a time,
 * so they are the server's time plus well under a millisecond. `BENCH_GROWTH_SIZES=1000,10000`
 * picks other sizes; `-- --force` measures on a busy machine. A script that prints figures.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceOrder } from '../services/orders/types';
import { loadLine, requireIdleMachine } from './support/machine';
import { DeskPeople, makeOrder } from './support/orders';
import { EXAMPLE_DIRECTORY } from './support/paths';
import { seedDataDir } from './support/seed';
import { startServiceProcess } from './support/service-process';
import { aadOf, activity } from './support/teams';

const SIZES = (process.env.BENCH_GROWTH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const SAMPLES = 20;
const TOKEN = 'growth-bench-token-0123456789';
const DAY = 86_400_000;
const BATCH = 1000;

interface Person {
  id: string;
  name: string;
  email: string;
  roles: string[];
  centreIds: string[];
  aadObjectId?: string;
}
interface Directory {
  centres: Array<{ id: string; name: string } & Record<string, unknown>>;
  people: Person[];
}

/** The example directory plus, per centre, 20 requesters (and for added centres two engineers and a judge). */
function deskDirectory(centres: number): { directory: Directory; people: DeskPeople } {
  const directory = JSON.parse(readFileSync(EXAMPLE_DIRECTORY, 'utf8')) as Directory;
  const model = directory.centres[0]!;
  for (let c = directory.centres.length; c < centres; c += 1) {
    const id = `CJPF-SEDE-${String(c + 1).padStart(2, '0')}`;
    directory.centres.push({ ...model, id, name: `Centro de Justicia Penal Federal, sede ${c + 1}` });
    for (const [n, role] of [
      ['ing1', 'engineer'],
      ['ing2', 'engineer'],
      ['juez', 'judge'],
    ] as const) {
      directory.people.push({
        id: `${n}.sede${c + 1}`,
        name: `${role} sede ${c + 1}`,
        email: `${n}.sede${c + 1}@cjf.example.mx`,
        roles: [role],
        centreIds: [id],
      });
    }
  }
  for (const centre of directory.centres) {
    for (let r = 0; r < 20; r += 1) {
      const id = `sp${r}.${centre.id.toLowerCase()}`;
      directory.people.push({
        id,
        name: `Servidor público ${r} ${centre.id}`,
        email: `${id}@cjf.example.mx`,
        roles: ['requester'],
        centreIds: [centre.id],
      });
    }
  }
  for (const p of directory.people) p.aadObjectId = aadOf(p.id);
  const snap = (p: Person) => ({ personId: p.id, name: p.name, email: p.email, aadObjectId: p.aadObjectId });
  const of = (role: string, centre: string) =>
    directory.people.filter((p) => p.roles.includes(role) && p.centreIds.includes(centre)).map(snap);
  const people: DeskPeople = {
    analysts: directory.people.filter((p) => p.roles.includes('analyst')).map(snap),
    engineersByCentre: new Map(directory.centres.map((c) => [c.id, of('engineer', c.id)])),
    requestersByCentre: new Map(directory.centres.map((c) => [c.id, of('requester', c.id)])),
    judgesByCentre: new Map(directory.centres.map((c) => [c.id, of('judge', c.id)[0]!])),
  };
  return { directory, people };
}

const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)]!;

async function timed(request: () => Promise<Response>): Promise<number> {
  const t0 = performance.now();
  const res = await request();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${res.url}`);
  return performance.now() - t0;
}

interface Figures {
  [name: string]: number;
}

async function measure(size: number): Promise<Figures> {
  const perDay = Math.max(30, Math.ceil(size / 365));
  const centres = Math.max(3, Math.ceil(perDay / 10));
  const days = Math.ceil(size / perDay);
  const end = Date.now() - 3_600_000;
  const range = { start: end - days * DAY, end };
  const dir = mkdtempSync(join(tmpdir(), `bench-growth-${size}-`));
  const dataDir = join(dir, 'data');
  try {
    const { directory, people } = deskDirectory(centres);
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(directory));
    // A first start makes what the service makes on an empty data directory (indexes, the directory).
    const first = await startServiceProcess({ dataDir, env: { DIRECTORY_FILE: join(dir, 'directory.json') } });
    await first.stop();
    const seedStart = performance.now();
    const ids = directory.centres.map((c) => c.id);
    await seedDataDir(dataDir, async (db) => {
      const orders = db.collection<ServiceOrder>('orders');
      const folios = new Map<string, number>();
      for (let i = 0; i < size; i += BATCH) {
        const batch = Array.from({ length: Math.min(BATCH, size - i) }, (_, k) =>
          makeOrder(i + k, size, range, ids, people),
        );
        for (const o of batch) {
          const y = o.folio.slice(3, 7);
          folios.set(y, Math.max(folios.get(y) ?? 0, Number(o.folio.slice(8))));
        }
        await orders.insertMany(batch, { ordered: false });
      }
      for (const [year, seq] of folios)
        await db
          .collection<{ _id: string; seq: number }>('counters')
          .updateOne({ _id: `folio-${year}` }, { $max: { seq } }, { upsert: true });
    });
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const step = Math.max(1, Math.floor(size / 100));
    const sampled = Array.from(
      { length: Math.ceil(size / step) },
      (_, k) => JSON.stringify(makeOrder(k * step, size, range, ids, people)).length,
    );
    const average = sampled.reduce((a, b) => a + b, 0) / sampled.length;
    process.stdout.write(
      `  ${size} orders (${(average / 1024).toFixed(1)} KB each on average, as JSON) over ${days} days at ${centres} centres seeded in ${seedSeconds.toFixed(1)} s; ${loadLine()}\n`,
    );

    const service = await startServiceProcess({ dataDir, env: { API_TOKEN: TOKEN }, startTimeoutMs: 600_000 });
    const figures: Figures = { 'start-up to listening (s)': service.startMs / 1000 };
    try {
      const afterStart = await service.memory();
      figures['heap after start (MB)'] = afterStart.heapMb;
      figures['RSS after start (MB)'] = afterStart.rssMb;
      const base = `http://127.0.0.1:${service.port}`;
      const api = (query: string) => () =>
        fetch(`${base}/api/orders${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const bot = (person: string, text: string) => () =>
        fetch(`${base}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity('http://127.0.0.1:9/', `a:${person}`, person, { text })),
        });
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const total = (await (await api('?pageSize=1')()).json()) as { total: number };
      if (total.total !== size) throw new Error(`the API counts ${total.total} orders, not ${size}`);
      const lists: Array<[string, () => Promise<Response>]> = [
        ['API orders, unfiltered, page 1', api('')],
        ['API orders, unfiltered, page 50', api('?page=50')],
        ['API orders, status=reported', api('?status=reported')],
        ['API orders, status=closed, page 10', api('?status=closed&page=10')],
        ['API orders, centre=CJPF-CDMX', api('?centre=CJPF-CDMX')],
        ['API orders, requester=fernando.ruiz', api('?requester=fernando.ruiz')],
        ['API orders, last 30 days, page 3', api(`?from=${day(end - 30 * DAY)}&to=${day(end + DAY)}&page=3`)],
        [
          'API orders, centre + status + dates',
          api(`?centre=CJPF-CDMX&status=closed&from=${day(range.start)}&to=${day(end + DAY)}`),
        ],
        ['bot «pendientes» (analyst)', bot('ana.lopez', 'pendientes')],
        ['bot «mis asignadas» (engineer)', bot('miguel.torres', 'mis asignadas')],
        ['bot «mis reportes» (requester)', bot('fernando.ruiz', 'mis reportes')],
      ];
      for (const [name, request] of lists) {
        for (let w = 0; w < 3; w += 1) await timed(request);
        const times: number[] = [];
        for (let s = 0; s < SAMPLES; s += 1) times.push(await timed(request));
        figures[`p95 ${name} (ms)`] = pct(times, 95);
      }
      const afterLists = await service.memory();
      figures['heap after the lists (MB)'] = afterLists.heapMb;
      figures['RSS after the lists (MB)'] = afterLists.rssMb;
      const report = () =>
        fetch(`${base}/api/reports/sla?from=${day(range.start - DAY)}&to=${day(end + DAY)}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
      const reportTimes: number[] = [];
      for (let r = 0; r < 3; r += 1) reportTimes.push(await timed(report));
      const body = (await (await report()).json()) as { groups: Array<{ dimension: string; orders: number }> };
      const counted = body.groups.find((g) => g.dimension === 'total')?.orders;
      if (counted !== size) throw new Error(`the SLA report counts ${counted} orders, not ${size}`);
      figures['SLA report over all orders, best of 3 (s)'] = Math.min(...reportTimes) / 1000;
      // Seeded orders carry no SLA summary, as orders stored before summaries existed: the
      // first report measures them from history and stores their summaries.
      figures['first SLA report, summarising every order (s)'] = reportTimes[0]! / 1000;
    } finally {
      const stopped = await service.stop();
      figures['SIGTERM to exit (s)'] = stopped.exitMs / 1000;
      if (stopped.code !== 0) process.stdout.write(`  the service exited with ${stopped.code} on SIGTERM\n`);
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Targets at 100k orders, by figure name. */
function target(name: string): [string, (v: number) => boolean] | undefined {
  if (name.startsWith('start-up')) return ['≤ 3 s', (v) => v <= 3];
  if (name.startsWith('heap')) return ['≤ 400 MB', (v) => v <= 400];
  if (name.startsWith('SIGTERM')) return ['≤ 2 s', (v) => v <= 2];
  if (name.startsWith('p95')) return ['≤ 50 ms', (v) => v <= 50];
  if (name.startsWith('SLA')) return ['≤ 1 s', (v) => v <= 1];
  return undefined;
}

async function main(): Promise<void> {
  const machine = requireIdleMachine('bench:growth');
  const results = new Map<number, Figures>();
  const failed: string[] = [];
  for (const size of SIZES) {
    process.stdout.write(`measuring ${size} orders…\n`);
    try {
      const figures = await measure(size);
      results.set(size, figures);
      for (const [name, value] of Object.entries(figures))
        process.stdout.write(`  ${name.padEnd(46)} ${value.toFixed(2)}\n`);
    } catch (error) {
      // A size that fails (a start-up past its time limit, say) is reported; the others still print.
      failed.push(`${size} orders: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  const measured = SIZES.filter((s) => results.has(s));
  if (measured.length === 0) throw new Error(failed.join('; '));
  const names = Object.keys(results.get(measured[0]!)!);
  const width = 48;
  process.stdout.write(`\nbench:growth${machine.forced ? ' FORCED' : ''}, ${loadLine()} at the end\n`);
  const largest = measured[measured.length - 1]!;
  process.stdout.write(
    `${'figure'.padEnd(width)}${measured.map((s) => `${s}`.padStart(10)).join('')}  ${`${largest}÷${measured[0]}`.padStart(9)}  target at ${largest}\n`,
  );
  for (const name of names) {
    const values = measured.map((s) => results.get(s)![name]!);
    const ratio = values[values.length - 1]! / values[0]!;
    const t = target(name);
    const verdict = t ? `${t[0]} ${t[1](values[values.length - 1]!) ? 'met' : 'MISSED'}` : '';
    process.stdout.write(
      `${name.padEnd(width)}${values.map((v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2)).padStart(10)).join('')}  ${ratio.toFixed(1).padStart(9)}  ${verdict}\n`,
    );
  }
  reportFailures(failed);
}

function reportFailures(failed: readonly string[]): void {
  for (const f of failed) process.stdout.write(`FAILED ${f}\n`);
  if (failed.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
