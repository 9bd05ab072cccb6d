/**
 * What a Prometheus scrape of /metrics costs with 100,000 orders stored (target ≤ 5 ms): loads
 * the orders into the embedded engine, counts the order gauge once as the service does at
 * start, moves it by a burst of state changes, then times scrapes through real HTTP with the
 * bearer token, and the rendering alone. Run with `npm run bench:metrics` (ORDERS=… to change
 * the count, SCRAPES=… the number of timed scrapes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import { startEngine } from '@cjpf/embedded-mongo';
import { createHttpService } from '../services/http/server';
import { orderReadsFromStore } from '../services/http/order-reads';
import { createLogger } from '../services/logger';
import { DeskMetrics } from '../services/metrics/desk-metrics';
import { orderGaugeObserver, seedOrderGauge } from '../services/metrics/order-metrics';
import { MongoOrderStore } from '../services/orders/order-store';
import type { ServiceOrder } from '../services/orders/types';
import { ORDER_STATUSES } from '../services/workflow';

const ORDERS = Number(process.env.ORDERS ?? 100_000);
const SCRAPES = Number(process.env.SCRAPES ?? 200);
const TARGET_MS = 5;
const TOKEN = 'bench-metrics-token-0123456789';
const CENTRES = Array.from({ length: 20 }, (_, i) => `CJPF-${String(i + 1).padStart(2, '0')}`);

function makeOrder(i: number): ServiceOrder {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(i + 1).padStart(6, '0')}`,
    status: ORDER_STATUSES[i % ORDER_STATUSES.length]!,
    version: 1,
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado' },
    centreId: CENTRES[i % CENTRES.length]!,
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'La computadora no enciende.',
    priority: 'medium',
    attachments: [],
    timestamps: { reportedAt: at },
    history: [],
    outbox: [],
    createdAt: at,
    updatedAt: at,
  };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function main(): Promise<void> {
  const dbPath = await mkdtemp(join(tmpdir(), 'bench-metrics-'));
  const engine = await startEngine({ port: 0, dbPath });
  const client = await MongoClient.connect(engine.uri);
  const db = client.db('bench_metrics');
  try {
    let t = process.hrtime.bigint();
    for (let i = 0; i < ORDERS; i += 1000)
      await db
        .collection('orders')
        .insertMany(Array.from({ length: Math.min(1000, ORDERS - i) }, (_, k) => makeOrder(i + k)));
    process.stdout.write(`loaded ${ORDERS} orders in ${(ms(t) / 1000).toFixed(1)} s\n`);

    const metrics = new DeskMetrics({ processMetrics: process.env.PROCESS_METRICS !== 'false' });
    const store = new MongoOrderStore(db, orderGaugeObserver(metrics));
    t = process.hrtime.bigint();
    const counted = await seedOrderGauge(db, metrics);
    process.stdout.write(`start-up count (one aggregation): ${counted} orders in ${ms(t).toFixed(0)} ms\n`);

    const http = createHttpService({
      logger: createLogger('silent'),
      apiToken: TOKEN,
      orders: orderReadsFromStore(store),
      metrics,
      health: { ping: async () => undefined, mailState: () => 'disabled' },
      botEndpoint: async (_req, res) => {
        res.send(200);
      },
    });
    const base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
    // Some latency samples and state changes, so every family has series.
    for (let i = 0; i < 50; i++) metrics.orderMoved(CENTRES[i % CENTRES.length]!, 'desk', 'reported');
    for (let i = 0; i < 50; i++) await fetch(`${base}/healthz`);

    const scrape = async () => {
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
      return res.text();
    };
    for (let i = 0; i < 20; i++) await scrape(); // warm-up
    const http_ms: number[] = [];
    const render_ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < SCRAPES; i++) {
      t = process.hrtime.bigint();
      bytes = (await scrape()).length;
      http_ms.push(ms(t));
      t = process.hrtime.bigint();
      await metrics.render();
      render_ms.push(ms(t));
    }
    // The same round trip to /healthz (no database call: the ping is stubbed): what HTTP alone costs here.
    const base_ms: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      t = process.hrtime.bigint();
      await (await fetch(`${base}/healthz`)).text();
      base_ms.push(ms(t));
    }
    base_ms.sort((a, b) => a - b);
    process.stdout.write(`baseline round trip (/healthz): p50 ${percentile(base_ms, 50).toFixed(2)} ms\n`);
    await http.close();
    http_ms.sort((a, b) => a - b);
    render_ms.sort((a, b) => a - b);
    const p50 = percentile(http_ms, 50);
    const p99 = percentile(http_ms, 99);
    process.stdout.write(
      `scrape over HTTP (${SCRAPES}, ${bytes} bytes): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target ≤ ${TARGET_MS} ms) ${p50 <= TARGET_MS ? 'OK' : 'MISSED'}\n`,
    );
    process.stdout.write(
      `rendering alone: p50 ${percentile(render_ms, 50).toFixed(2)} ms, p99 ${percentile(render_ms, 99).toFixed(2)} ms\n`,
    );
    // CPU time, unlike wall time, does not grow when other processes hold the cores.
    const cpu = process.cpuUsage();
    for (let i = 0; i < SCRAPES; i++) await metrics.render();
    const used = process.cpuUsage(cpu);
    const perScrape = (used.user + used.system) / 1000 / SCRAPES;
    process.stdout.write(
      `CPU per rendering: ${perScrape.toFixed(2)} ms (target ≤ ${TARGET_MS} ms) ${perScrape <= TARGET_MS ? 'OK' : 'MISSED'}\n`,
    );
  } finally {
    await client.close();
    await engine.close();
    await rm(dbPath, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
