/**
 * From a state change to the notice delivered. A change is an analyst turning an order to the
 * on-site engineer; each owes two notices — the engineer in Teams (through a local Bot
 * Connector stand-in) and the requester by email (through the real mail stack's SMTP). The
 * outbox loop of one service instance relays and sends; the engine runs as its own process,
 * as a database server would. Two phases of 1,000 changes each (BENCH_CHANGES):
 *  1. latency — changes at RATE per second (open loop; default 100, i.e. 200 notices/s
 *     offered), from the change's history time to the notice's `sentAt` (the Bot Connector
 *     or SMTP server accepted it);
 *  2. throughput — all changes at once, notices sent per second until the last is out. Run with `npm run bench:notify`
 * (needs root and the mail stack packages, see test/support/mail-stack/install.sh);
 * `BENCH_SMTP_DELIVERY=immediate` also has Exim deliver every mail into Dovecot during the run.
 * A script that prints figures, not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { createTeamsBot } from '../bot/endpoint';
import { saveConversationReference } from '../bot/conversation-refs';
import { IntakeStore } from '../intake';
import { CachedDirectory } from '../services/directory/cached-directory';
import { MongoDirectoryStore } from '../services/directory/directory-store';
import { importDirectory } from '../services/directory/load-directory';
import { EmailChannel } from '../services/mail/email-channel';
import { SmtpMailSender } from '../services/mail/mail-sender';
import { assignEngineer } from '../services/orders/assign-engineer';
import { MongoOrderStore } from '../services/orders/order-store';
import { reportOrder } from '../services/orders/report-order';
import type { ServiceOrder } from '../services/orders/types';
import { NotificationDoc, OutboxDispatcher, OutboxLoop, OutboxRelay } from '../services/outbox';
import { startMailStack } from '../test/support/mail-stack';
import { cpuMsOf, startEngineProcess } from './engine-process';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/**
 * `queue` (default): the notice ends where the SMTP server accepts it, and Exim keeps it in its
 * queue, as a remote server (Exchange Online) would deliver it off this machine. `immediate`:
 * Exim also delivers each mail into Dovecot here, on the same two cores.
 */
const SMTP_DELIVERY = process.env.BENCH_SMTP_DELIVERY === 'immediate' ? 'immediate' : 'queue';
const DESK = 'escritorio@cjf.example.mx';
const EXAMPLE = join(__dirname, '..', '..', 'services', 'directory', 'example-directory.json');

/** Loopback Bot Connector: accepts every activity at once and counts them. */
async function startConnector(): Promise<{ url: string; posts: () => number; close(): Promise<void> }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(req.url ?? '')) posts += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `a-${posts}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, posts: () => posts, close: () => new Promise((r) => server.close(() => r())) };
}

/** The engine as its own process, as a database server would be; stopped by PID. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-notify-'));
  const logger = pino({ level: 'silent' });
  const engine = await startEngineProcess(join(dir, 'db'));
  const client = await MongoClient.connect(engine.uri);
  const db = client.db('bench_notify');
  const directory = new MongoDirectoryStore(client, db);
  await directory.ensureIndexes();
  await importDirectory({ directory }, { file: EXAMPLE });
  const people = (await directory.snapshot()).people.map((p) => p.email);
  const stack = await startMailStack({ users: [...new Set([DESK, ...people])].map((user) => ({ user, password: 'clave' })), domains: ['cjf.example.mx', 'tecnoservicios.example.mx', 'audiovis.example.mx'], delivery: SMTP_DELIVERY });
  const connector = await startConnector();
  const orders = new MongoOrderStore(db);
  await orders.ensureIndexes();
  const intake = new IntakeStore(db);
  await intake.ensureIndexes();
  await saveConversationReference(db, {
    channelId: 'msteams', serviceUrl: connector.url, bot: { id: '28:bot', name: 'Mesa' },
    user: { id: '29:miguel', name: 'Miguel Torres' }, conversation: { id: 'a:miguel', conversationType: 'personal', isGroup: false, name: '' },
  }, undefined, new Date(), 'miguel.torres');
  const sender = new SmtpMailSender({ ...stack.smtp, secure: false, ignoreTLS: true, from: DESK, maxConnections: Number(process.env.BENCH_SMTP_CONNECTIONS ?? 16) });
  // As the service wires it: Teams actions and the mail channel read people through the cache.
  const cached = new CachedDirectory(directory);
  const { channel: teams } = createTeamsBot({
    bot: {}, db, logger, centres: async () => [],
    services: { orders, directory: cached, policy: { onsiteRequiresValidation: false }, analystRouting: 'all', timeZone: 'America/Mexico_City' },
  });
  const email = new EmailChannel({ sender, directory: cached, refs: intake });
  const deps = { orders, directory: cached, timeZone: 'America/Mexico_City' };

  const reported: ServiceOrder[] = [];
  for (let i = 0; i < 2 * CHANGES; i += 1) {
    reported.push(await reportOrder(deps, { channel: 'email', actorId: 'fernando.ruiz', requesterId: 'fernando.ruiz', equipment: { type: 'printer' }, description: `La impresora ${i} no imprime.` }));
  }
  await db.collection('orders').updateMany({}, { $set: { outbox: [] }, $unset: { outboxPending: '' } });
  const dispatcher = new OutboxDispatcher({ db, logger, channels: [teams, email], concurrency: CONCURRENCY });
  await dispatcher.ensureIndexes();
  const relay = new OutboxRelay({ db, logger });
  const timings = new Map<string, { n: number; ms: number }>();
  const timed = (name: string, target: Record<string, unknown>, method: string) => {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    target[method] = async (...args: unknown[]) => {
      const t0 = performance.now();
      try { return await original(...args); } finally {
        const t = timings.get(name) ?? { n: 0, ms: 0 };
        t.n += 1; t.ms += performance.now() - t0; timings.set(name, t);
      }
    };
  };
  if (process.env.BENCH_PROFILE) {
    const anyOf = (x: unknown) => x as Record<string, unknown>;
    timed('relayOnce', anyOf(relay), 'relayOnce');
    timed('recordPendingHistory', anyOf(dispatcher), 'recordPendingHistory');
    timed('claimBatch', anyOf(dispatcher), 'claimBatch');
    timed('finish', anyOf(dispatcher), 'finish');
    timed('teams.canReach', anyOf(teams), 'canReach');
    timed('teams.send', anyOf(teams), 'send');
    timed('email.canReach', anyOf(email), 'canReach');
    timed('email.send', anyOf(email), 'send');
    timed('sender.send', anyOf(sender), 'send');
  }
  const loop = new OutboxLoop({ relay, dispatcher, logger });
  loop.start();

  const load = loadavg()[0]!;
  const notifications = db.collection<NotificationDoc>('notifications');
  let failures = 0;
  const change = (o: ServiceOrder) => assignEngineer(deps, { orderId: o._id.toHexString(), actorId: 'ana.lopez', channel: 'teams', expectedVersion: o.version, engineerId: 'miguel.torres' }).catch(() => { failures += 1; });
  /**
   * Waits until every notice so far is sent (`total`), then returns those of `orders` with
   * each one's latency from its change. The wait asks only for a count by state, which costs
   * the engine little while it is being measured.
   */
  const settle = async (orders: ServiceOrder[], total: number) => {
    const ids = orders.map((o) => o._id);
    const deadline = Date.now() + 120_000;
    while ((await notifications.countDocuments({ state: 'sent' })) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const changedAt = new Map<string, number>();
    for await (const o of db.collection<ServiceOrder>('orders').find({ _id: { $in: ids } }, { projection: { history: 1 } })) {
      const assigned = o.history.find((h) => h.action === 'assign_engineer');
      if (assigned) changedAt.set(o._id.toHexString(), assigned.at.getTime());
    }
    const sent = await notifications.find({ orderId: { $in: ids }, state: 'sent' }).toArray();
    return { sent, changedAt, latency: (docs: NotificationDoc[]) => docs.map((n) => n.sentAt!.getTime() - changedAt.get(n.orderId.toHexString())!).sort((a, b) => a - b) };
  };
  const cpuBefore = { service: cpuMsOf(process.pid), engine: engine.cpuMs() };

  // 1. Latency: CHANGES changes at RATE per second (open loop), i.e. 2 × RATE notices/s offered.
  const paced = reported.slice(0, CHANGES);
  const started = Date.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < paced.length; i += 1) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(change(paced[i]!));
  }
  await Promise.all(inFlight);
  const a = await settle(paced, 2 * CHANGES);

  // 2. Throughput: CHANGES more changes made as fast as 16 callers can, then the time until
  //    the last of their notices is sent.
  const burst = reported.slice(CHANGES);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { while (next < burst.length) await change(burst[next++]!); }));
  const b = await settle(burst, 4 * CHANGES);
  await loop.stop();
  const cpu = { service: cpuMsOf(process.pid) - cpuBefore.service, engine: engine.cpuMs() - cpuBefore.engine };

  const all = a.latency(a.sent);
  const byChannel = (c: string) => a.latency(a.sent.filter((n) => n.channel === c));
  const span = (Math.max(...b.sent.map((n) => n.sentAt!.getTime())) - Math.min(...b.changedAt.values())) / 1000;
  const rate = b.sent.length / span;
  const line = (name: string, xs: number[]) => `${name.padEnd(8)} n=${String(xs.length).padStart(5)}  p50=${String(pct(xs, 50)).padStart(5)} ms  p99=${String(pct(xs, 99)).padStart(5)} ms  max=${xs[xs.length - 1]} ms`;
  console.log(`bench:notify — 2 × ${CHANGES} changes, 2 notices each, dispatcher concurrency ${CONCURRENCY}, SMTP delivery ${SMTP_DELIVERY}, load avg ${load.toFixed(2)}`);
  console.log(`latency, ${CHANGES} changes at ${RATE}/s (${2 * RATE} notices/s offered):`);
  console.log(line('all', all));
  console.log(line('teams', byChannel('teams')));
  console.log(line('email', byChannel('email')));
  console.log(`throughput, ${CHANGES} changes at once: ${rate.toFixed(0)} notices/s (${b.sent.length} sent in ${span.toFixed(1)} s; p99 latency there ${pct(b.latency(b.sent), 99)} ms)`);
  console.log(`delivered ${a.sent.length + b.sent.length} of ${4 * CHANGES}, ${failures} failed changes; Bot Connector got ${connector.posts()}`);
  console.log(`targets: p99 <= 1000 ms ${pct(all, 99) <= 1000 ? 'met' : 'MISSED'}; >= 200 notices/s ${rate >= 200 ? 'met' : 'MISSED'}`);
  // CPU time varies less than throughput on a machine shared with other work.
  const notices = a.sent.length + b.sent.length;
  console.log(`CPU per notice: service ${(cpu.service / notices).toFixed(2)} ms, engine ${(cpu.engine / notices).toFixed(2)} ms (includes the changes themselves and this script's polling)`);
  if (process.env.BENCH_PROFILE) for (const [k, v] of timings) console.log(`${k.padEnd(16)} n=${v.n} avg=${(v.ms / v.n).toFixed(1)} ms`);
  await sender.close();
  await connector.close();
  await stack.stop();
  await client.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
