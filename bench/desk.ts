/**
 * Mesa under a seeded desk: N orders (ORDERS, default 100,000) on the embedded engine, the
 * whole service started over it, then server-side times of the analysts' queue pages and the
 * order page through real HTTP, the first useful paint of the page in a cold Chromium, and
 * the page's JavaScript size gzipped, and staff searches (a folio, an inventory number, common
 * and rare words, several words at once). Run with `npm run bench:desk`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MongoClient, ObjectId } from 'mongodb';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { startEngine } from '@cjpf/embedded-mongo';
import { loadConfig } from '../services/config';
import { startService } from '../services';
import { orderSearchTokens } from '../services/orders/search-tokens';
import type { ServiceOrder } from '../services/orders/types';
import type { OrderStatus } from '../services/workflow';

const ORDERS = Number(process.env.ORDERS ?? 100_000);
const SAMPLES = Number(process.env.SAMPLES ?? 20);
const CENTRES = ['CJPF-CDMX', 'CJPF-BC-TIJ', 'CJPF-QROO-CUN'];
const STATUSES: OrderStatus[] = [
  'reported',
  'desk',
  'engineer_assigned',
  'diagnosis',
  'resolved',
  'closed',
  'closed',
  'closed',
];

const EQUIPMENT = ['impresora', 'monitor', 'micrófono', 'teclado', 'proyector', 'conmutador', 'teléfono'];
const FAULTS = ['no enciende', 'no imprime', 'sin señal', 'hace ruido', 'se reinicia', 'está lento'];
const PLACES = ['sala de audiencias', 'oficialía de partes', 'juzgado', 'archivo', 'sala de testigos'];
const REQUESTERS = [
  { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
  { personId: 'lucia.mendez', name: 'Lucía Méndez Ortiz', email: 'lucia.mendez@cjf.example.mx' },
  { personId: 'jorge.salas', name: 'Jorge Salas Ibarra', email: 'jorge.salas@cjf.example.mx' },
];

/** A stored order as the order store writes it, search words included. */
function order(i: number): ServiceOrder {
  const base = seedOrder(i);
  return { ...base, searchTokens: orderSearchTokens(base) };
}

function seedOrder(i: number): ServiceOrder {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  const status = STATUSES[i % STATUSES.length]!;
  return {
    _id: new ObjectId(),
    folio: `OS-2026-${String(i + 1).padStart(6, '0')}`,
    status,
    version: 1,
    requester: REQUESTERS[i % REQUESTERS.length]!,
    centreId: CENTRES[i % CENTRES.length]!,
    channel: 'teams',
    equipment: { type: 'printer', inventoryNumber: `INV-${i}`, location: `${PLACES[i % PLACES.length]} ${i % 12}` },
    // Once in 5,000 orders a word found nowhere else, for the rare-word search.
    description: `El ${EQUIPMENT[i % EQUIPMENT.length]} ${FAULTS[(i >> 3) % FAULTS.length]} desde la mañana${i % 5000 === 7 ? ' (olor a quemado)' : ''}`,
    priority: 'medium',
    attachments: [],
    ...(status !== 'reported' && { analyst: { personId: i % 2 ? 'ana.lopez' : 'carlos.ramirez', name: 'Analista' } }),
    ...(i % 97 === 0 && { slaMarks: ['desk_response:75'] }),
    timestamps: { reportedAt: at },
    history: [
      {
        at,
        action: 'report',
        by: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado' },
        channel: 'teams',
        to: 'reported',
      },
    ],
    outbox: [],
    createdAt: at,
    updatedAt: at,
  };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function timed(samples: number, run: (i: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  return times;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-desk-'));
  const engine = await startEngine({ port: 0, dbPath: dir });
  const client = await MongoClient.connect(engine.uri);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const db = client.db('mesa_servicio');
    const t0 = performance.now();
    for (let i = 0; i < ORDERS; i += 1000)
      await db
        .collection('orders')
        .insertMany(Array.from({ length: Math.min(1000, ORDERS - i) }, (_, k) => order(i + k)));
    out(`seeded ${ORDERS} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const service = await startService(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        MONGODB_URI: engine.uri.replace(/\/(\?|$)/, '/mesa_servicio$1'),
        CEDULA_SECRET: 'bench-desk-cedula-secret-0123456789abcdef',
        LOG_LEVEL: 'silent',
      }),
      pino({ level: 'silent' }),
    );
    const base = `http://127.0.0.1:${service.port}`;
    try {
      const signIn = await fetch(`${base}/desk/api/local/sign-in`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ personId: 'ana.lopez' }),
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
      const get = async (path: string) => {
        const res = await fetch(`${base}${path}`, { headers: { cookie } });
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        await res.arrayBuffer();
      };
      for (const view of ['new', 'mine', 'closure', 'risk']) {
        const times = await timed(SAMPLES, (i) => get(`/desk/api/queue?view=${view}&page=${1 + (i % 5)}`));
        out(`queue ${view}: p95 ${p95(times).toFixed(1)} ms (${SAMPLES} requests, 4 counts each)`);
      }
      const centre = await timed(SAMPLES, () => get('/desk/api/queue?view=new&centre=CJPF-CDMX'));
      out(`queue new, one centre: p95 ${p95(centre).toFixed(1)} ms`);
      const orderPage = await timed(SAMPLES, (i) =>
        get(`/desk/api/orders/OS-2026-${String(1 + ((i * 7919) % ORDERS)).padStart(6, '0')}`),
      );
      out(`order page by folio: p95 ${p95(orderPage).toFixed(1)} ms`);
      const searches: Array<[string, (i: number) => string]> = [
        ['a folio', (i) => `OS-2026-${String(1 + ((i * 7919) % ORDERS)).padStart(6, '0')}`],
        ['an inventory number', (i) => `INV-${(i * 7919) % ORDERS}`],
        ['a common word', (i) => EQUIPMENT[i % EQUIPMENT.length]!],
        ['a rare word', () => 'quemado'],
        ['two words', (i) => `${EQUIPMENT[i % EQUIPMENT.length]} ${FAULTS[i % FAULTS.length]!.split(' ')[1]}`],
        ['a requester and a place', () => 'lucia juzgado'],
        ['a word on no order', () => 'inexistente'],
      ];
      const all: number[] = [];
      for (const [what, q] of searches) {
        const times = await timed(SAMPLES, (i) =>
          get(`/desk/api/search?q=${encodeURIComponent(q(i))}&page=${1 + (i % 3)}`),
        );
        all.push(...times);
        out(`search, ${what}: p95 ${p95(times).toFixed(1)} ms`);
      }
      out(`search, all kinds: p95 ${p95(all).toFixed(1)} ms (target 150 ms)`);

      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu'],
      });
      try {
        const context = await browser.newContext();
        await context.addCookies([
          { name: 'mesa_session', value: decodeURIComponent(cookie.split('=').slice(1).join('=')), url: base },
        ]);
        const page = await context.newPage();
        const start = performance.now();
        await page.goto(`${base}/desk/`);
        await page.getByRole('table').waitFor();
        out(`first useful paint (cold browser, queue table shown): ${(performance.now() - start).toFixed(0)} ms`);
      } finally {
        await browser.close();
      }
    } finally {
      await service.stop();
    }
    const assets = join(__dirname, '..', '..', 'packages', 'desk-web', 'dist', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const gz = js.reduce((s, f) => s + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    out(`page JavaScript: ${(gz / 1024).toFixed(1)} KB gzipped`);
    out(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await client.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
