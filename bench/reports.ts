/**
 * A 12-month SLA report over 100,000 orders on the embedded engine: loads the orders, then
 * times the whole-desk report and a one-centre report through the same code as the read
 * API. Run with `npm run bench:reports` (ORDERS=… to change the count).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { MongoDirectoryStore } from '../services/directory/directory-store';
import { importDirectory } from '../services/directory/load-directory';
import type { ServiceOrder } from '../services/orders/types';
import { reportReads } from '../services/reports/report-reads';
import { MongoReportSource } from '../services/reports/report-store';
import { EXAMPLE_DESK_TARGETS } from './desk-targets';
import type { OrderStatus } from '../services/workflow';
import { FIRST_ENTERED } from '../test/support/order-life';

const ORDERS = Number(process.env.ORDERS ?? 100_000);
const BATCH = 1_000;
const CENTRES = ['CJPF-CDMX', 'CJPF-BC-TIJ', 'CJPF-QROO-CUN'];
const YEAR_START = Date.parse('2026-01-01T06:00:00Z');
const YEAR_MS = 365 * 86_400_000;

/** A deterministic pseudo-random order life: most closed, some through a provider, some open. */
function makeOrder(i: number): ServiceOrder {
  const r = (k: number) => ((i * 2654435761 + k * 40503) >>> 0) % 1000;
  const t0 = YEAR_START + Math.floor((i / ORDERS) * YEAR_MS);
  const centreId = CENTRES[i % CENTRES.length]!;
  const viaProvider = r(1) < 300;
  const steps: [OrderStatus, number][] = [
    ['reported', 0],
    ['desk', 5 + r(2) / 20],
  ];
  if (viaProvider) {
    steps.push(
      ['engineer_assigned', 60],
      ['diagnosis', 60 + r(3) / 4],
      ['provider', 400],
      ['validation', 400 + r(4) * 2],
      ['signature', 2800],
      ['validated', 2900],
      ['resolved', 2950],
    );
  } else {
    steps.push(['engineer_assigned', 45], ['diagnosis', 45 + r(3) / 5], ['resolved', 300 + r(5) * 2]);
  }
  const open = r(6) < 50;
  if (!open) steps.push(['closed', steps[steps.length - 1]![1] + 30]);
  const at = (min: number) => new Date(t0 + min * 60_000);
  const timestamps: ServiceOrder['timestamps'] = {};
  for (const [s, m] of steps) timestamps[FIRST_ENTERED[s]!] = at(m);
  const last = steps[steps.length - 1]!;
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(i + 1).padStart(6, '0')}`,
    status: last[0],
    version: steps.length,
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado' },
    centreId,
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'La computadora no enciende.',
    priority: (['critical', 'high', 'medium', 'low'] as const)[r(7) % 4]!,
    attachments: [],
    ...(viaProvider
      ? { provider: { providerId: 'PROV-TECNOSERV', contractId: 'CT-2026-001', name: 'Tecnoservicios' } }
      : {}),
    timestamps,
    history: steps.map(([to, m]) => ({
      at: at(m),
      action: 'take' as const,
      by: { name: 'Sistema' },
      channel: 'teams' as const,
      to,
    })),
    outbox: [],
    createdAt: at(0),
    updatedAt: at(last[1]),
  };
}

const seconds = (start: bigint) => (Number(process.hrtime.bigint() - start) / 1e9).toFixed(2);

async function main(): Promise<void> {
  const dbPath = await mkdtemp(join(tmpdir(), 'bench-reports-'));
  const engine = await startEngine({ port: 0, dbPath });
  const client = await MongoClient.connect(engine.uri);
  try {
    const db = client.db('bench_reports');
    const directory = new MongoDirectoryStore(client, db);
    await importDirectory({ directory }, { file: join(__dirname, '../../services/directory/example-directory.json') });
    const source = new MongoReportSource(db);
    await source.ensureIndexes();
    let start = process.hrtime.bigint();
    for (let i = 0; i < ORDERS; i += BATCH) {
      await db.collection<ServiceOrder>('orders').insertMany(
        Array.from({ length: Math.min(BATCH, ORDERS - i) }, (_, k) => makeOrder(i + k)),
        { ordered: false },
      );
    }
    console.log(`loaded ${ORDERS} orders over 12 months in ${seconds(start)} s`);
    const reads = reportReads({
      source,
      directory,
      desk: EXAMPLE_DESK_TARGETS,
      zone: 'America/Mexico_City',
      now: () => new Date('2027-01-15T18:00:00Z'),
    });
    for (const [label, extra] of [
      ['whole desk', {}],
      ['one centre (CJPF-CDMX)', { centre: 'CJPF-CDMX' }],
      ['one contract (CT-2026-001)', { contract: 'CT-2026-001' }],
    ] as const) {
      start = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const { report } = await reads.slaReport({ from: '2026-01-01', to: '2026-12-31', ...extra });
      const total = report.groups.find((g) => g.dimension === 'total')!;
      const desk = total.clocks.find((c) => c.clock === 'desk_response')!;
      const used = process.cpuUsage(cpu);
      console.log(
        `12-month report, ${label}: ${seconds(start)} s (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s, engine and report in this process) for ${total.orders} orders, ${report.groups.length} groups (desk response compliance ${((desk.complianceRate ?? 0) * 100).toFixed(1)} %)`,
      );
    }
  } finally {
    await client.close();
    await engine.close();
    await rm(dbPath, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
