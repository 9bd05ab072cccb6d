/**
 * From a state change to the notice delivered, with the service in its own process (`npm
 * start`'s program on the embedded engine) doing what it does in production: relaying each
 * change's notices and sending them, the engineer's in Teams (a loopback Bot Connector
 * stand-in) and the requester's by email (the real mail stack's SMTP). A change is an analyst
 * turning an order to the on-site engineer, made by this script through the same use case
 * the bot calls, against the service's database. Two phases of CHANGES changes each:
 *  1. latency — changes at RATE per second (open loop; default 100, i.e. 200 notices/s
 *     offered), from the change's history time to the notice's `sentAt` (the Bot Connector
 *     or SMTP server accepted it);
 *  2. throughput — CHANGES changes at once, notices sent per second until the last is out.
 * Run with `npm run bench:notify` (`-- --force` on a busy machine; needs root and the mail
 * stack packages, see test/support/mail-stack/install.sh). `BENCH_SMTP_DELIVERY=immediate`
 * has Exim deliver every mail into Dovecot during the run. A script that prints figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { DEFAULT_DATABASE } from '../services/config';
import { CachedDirectory } from '../services/directory/cached-directory';
import { MongoDirectoryStore } from '../services/directory/directory-store';
import { importDirectory } from '../services/directory/load-directory';
import { assignEngineer } from '../services/orders/assign-engineer';
import { MongoOrderStore } from '../services/orders/order-store';
import { reportOrder } from '../services/orders/report-order';
import type { ServiceOrder } from '../services/orders/types';
import { startMailStack } from '../test/support/mail-stack';
import { orderServices } from '../test/support/order-services';
import { loadLine, requireIdleMachine } from './support/machine';
import { seedDataDir } from './support/seed';
import { startServiceProcess } from './support/service-process';
import { activity, startConnector, writeBenchDirectory } from './support/teams';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
/**
 * `queue` (default): the notice ends where the SMTP server accepts it, and Exim keeps it in its
 * queue, as a remote server (Exchange Online) would deliver it off this machine. `immediate`:
 * Exim also delivers each mail into Dovecot here, on the same two cores.
 */
const SMTP_DELIVERY = process.env.BENCH_SMTP_DELIVERY === 'immediate' ? 'immediate' : 'queue';
const DESK = 'escritorio@cjf.example.mx';
const ENGINEER = 'miguel.torres';

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const machine = requireIdleMachine('bench:notify');
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
  const directoryFile = join(dir, 'directory.json');
  const people = writeBenchDirectory(directoryFile, []).people.map((p) => String(p.email));
  const stack = await startMailStack({
    users: [...new Set([DESK, ...people])].map((user) => ({ user, password: 'clave' })),
    domains: ['cjf.example.mx', 'tecnoservicios.example.mx', 'audiovis.example.mx'],
    delivery: SMTP_DELIVERY,
  });
  const connector = await startConnector();
  let client: MongoClient | undefined;
  const service = await (async () => {
    // The orders to change are made before the service starts, so their own notices (new
    // order to the analysts) are not part of what is measured.
    const dataDir = join(dir, 'data');
    await seedDataDir(dataDir, async (db, c) => {
      const directory = new MongoDirectoryStore(c, db);
      await directory.ensureIndexes();
      await importDirectory({ directory }, { file: directoryFile });
      const orders = new MongoOrderStore(db);
      await orders.ensureIndexes();
      const deps = orderServices(orders, new CachedDirectory(directory));
      for (let i = 0; i < 2 * CHANGES; i += 1) {
        await reportOrder(deps, {
          channel: 'email',
          actorId: 'fernando.ruiz',
          requesterId: 'fernando.ruiz',
          equipment: { type: 'printer' },
          description: `La impresora ${i} no imprime.`,
        });
      }
      await db.collection('orders').updateMany({}, { $set: { outbox: [] }, $unset: { outboxPending: '' } });
    });
    return startServiceProcess({
      dataDir,
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(stack.smtp.port),
        SMTP_SECURE: 'false',
        MAIL_FROM: DESK,
        NOTIFY_DIGEST_SECONDS: '0',
      },
    });
  })().catch(async (error: unknown) => {
    await stack.stop();
    await connector.close();
    throw error;
  });
  try {
    // The engineer writes to the bot once, so the service holds their Teams conversation.
    const hello = await fetch(`http://127.0.0.1:${service.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(connector.url, 'a:miguel', ENGINEER, { text: 'ayuda' })),
    });
    if (!hello.ok) throw new Error(`the bot answered ${hello.status}`);
    client = await MongoClient.connect(service.engineUri);
    const db = client.db(DEFAULT_DATABASE);
    const deps = {
      orders: new MongoOrderStore(db),
      directory: new CachedDirectory(new MongoDirectoryStore(client, db)),
    };
    const reported = await db
      .collection<ServiceOrder>('orders')
      .find({ status: 'reported' })
      .sort({ createdAt: 1 })
      .toArray();
    const notifications = db.collection<{
      orderId: ServiceOrder['_id'];
      state: string;
      channel?: string;
      sentAt?: Date;
    }>('notifications');
    const sentBefore = await notifications.countDocuments({ state: 'sent' });
    let failures = 0;
    const change = (o: ServiceOrder) =>
      assignEngineer(deps, {
        orderId: o._id.toHexString(),
        actorId: 'ana.lopez',
        channel: 'teams',
        expectedVersion: o.version,
        engineerId: ENGINEER,
      }).catch(() => {
        failures += 1;
      });
    /** Waits until `total` notices are sent, then the latency of each of `orders`' notices from its change. */
    const settle = async (orders: ServiceOrder[], total: number) => {
      const deadline = Date.now() + 180_000;
      while ((await notifications.countDocuments({ state: 'sent' })) < total && Date.now() < deadline) await sleep(250);
      const ids = orders.map((o) => o._id);
      const changedAt = new Map<string, number>();
      for await (const o of db
        .collection<ServiceOrder>('orders')
        .find({ _id: { $in: ids } }, { projection: { history: 1 } })) {
        const assigned = o.history.find((h) => h.action === 'assign_engineer');
        if (assigned) changedAt.set(o._id.toHexString(), assigned.at.getTime());
      }
      const sent = await notifications.find({ orderId: { $in: ids }, state: 'sent' }).toArray();
      const latency = (docs: typeof sent) =>
        docs.map((n) => n.sentAt!.getTime() - changedAt.get(n.orderId.toHexString())!).sort((a, b) => a - b);
      return { sent, changedAt, latency };
    };
    const cpuBefore = service.cpuMs();
    const loadAtStart = loadLine();

    // 1. Latency: CHANGES changes at RATE per second (open loop), i.e. 2 × RATE notices/s offered.
    const paced = reported.slice(0, CHANGES);
    const started = Date.now();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < paced.length; i += 1) {
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(change(paced[i]!));
    }
    await Promise.all(inFlight);
    const a = await settle(paced, sentBefore + 2 * CHANGES);

    // 2. Throughput: CHANGES more changes made as fast as 16 callers can, then the time until
    //    the last of their notices is sent.
    const burst = reported.slice(CHANGES, 2 * CHANGES);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < burst.length) await change(burst[next++]!);
      }),
    );
    const b = await settle(burst, sentBefore + 4 * CHANGES);
    const cpu = service.cpuMs() - cpuBefore;

    const all = a.latency(a.sent);
    const byChannel = (c: string) => a.latency(a.sent.filter((n) => n.channel === c));
    const span = (Math.max(...b.sent.map((n) => n.sentAt!.getTime())) - Math.min(...b.changedAt.values())) / 1000;
    const rate = b.sent.length / span;
    const mark = machine.forced ? ' FORCED' : '';
    const line = (name: string, xs: number[]) =>
      `${name.padEnd(8)} n=${String(xs.length).padStart(5)}  p50=${String(pct(xs, 50)).padStart(5)} ms  p99=${String(pct(xs, 99)).padStart(5)} ms  max=${xs[xs.length - 1]} ms`;
    console.log(
      `bench:notify${mark} — 2 × ${CHANGES} changes, 2 notices each, service in its own process (NOTIFY_CONCURRENCY default), SMTP delivery ${SMTP_DELIVERY}`,
    );
    console.log(`${loadAtStart} at the first change; ${loadLine()} at the end`);
    console.log(`latency, ${CHANGES} changes at ${RATE}/s (${2 * RATE} notices/s offered):`);
    console.log(line('all', all));
    console.log(line('teams', byChannel('teams')));
    console.log(line('email', byChannel('email')));
    console.log(
      `throughput, ${CHANGES} changes at once: ${rate.toFixed(0)} notices/s (${b.sent.length} sent in ${span.toFixed(1)} s; p99 latency there ${pct(b.latency(b.sent), 99)} ms)`,
    );
    console.log(
      `delivered ${a.sent.length + b.sent.length} of ${4 * CHANGES}, ${failures} failed changes; Bot Connector got ${connector.posts()}`,
    );
    console.log(
      `targets: p99 <= 1000 ms ${pct(all, 99) <= 1000 ? 'met' : 'MISSED'}; >= 200 notices/s ${rate >= 200 ? 'met' : 'MISSED'}${mark}`,
    );
    // CPU time varies less than throughput on a machine shared with other work.
    console.log(
      `service CPU per notice: ${(cpu / (a.sent.length + b.sent.length)).toFixed(2)} ms (relay, dispatch and the engine; the changes are made by this script)`,
    );
  } finally {
    await client?.close();
    const stopped = await service.stop();
    if (stopped.code !== 0) console.log(`service exited with ${stopped.code}`);
    await connector.close();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
