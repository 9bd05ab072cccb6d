/**
 * Figures of the Teams bot through real HTTP on this machine, against a loopback stand-in for
 * the Bot Connector: the message that completes an intake (and creates an order), a card
 * action (Action.Execute «take»), and — in the same run — a bare botbuilder + restify echo
 * bot as the baseline. The engine runs as its own process, as a database server would. Run
 * with `npm run bench:bot`. A script that prints figures, not a test.
 *
 * Throughput: closed loop, CONCURRENCY requests in flight. Latency: open loop at RATE req/s
 * (a request leaves every 1000/RATE ms whether or not the previous one finished). The three
 * are measured in alternating slices so that outside load weighs on them alike.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { MongoClient, ObjectId } from 'mongodb';
import restify from 'restify';
import { DEFAULT_DATABASE, loadConfig } from '../services/config';
import { RunningService, startService } from '../services/index';
import { EngineProcess, startEngineProcess } from './engine-process';
import { createLogger } from '../services/logger';

const RATE = 50;
const LATENCY_REQUESTS = 250;
/** 200 a slice: a slice of an echo bot then lasts about a third of a second, long enough to be steady. */
const THROUGHPUT_REQUESTS = 1000;
const CONCURRENCY = 8;
const SLICES = 5;
const REQUESTER = 'fernando.ruiz';
/**
 * Each intake conversation is its own person's 1:1 chat with the bot, as in Teams (one
 * personal chat per person): `a:tp-7` belongs to requester `req.tp-7`, added to the bench's
 * directory. One person holding hundreds of chats at once would rewrite their stored
 * conversation reference on every message, which no real user causes.
 */
const requesterOf = (conversationId: string) => `req.${conversationId.slice(2)}`;
const INTAKE_CONVERSATIONS: Array<[string, number]> = [['warm', 40], ['tp', THROUGHPUT_REQUESTS], ['lat', LATENCY_REQUESTS], ['stock', THROUGHPUT_REQUESTS + LATENCY_REQUESTS]];
const ANALYST = 'ana.lopez';

/** Deterministic AAD object id per directory person (the bench directory gives everyone one). */
function aadOf(personId: string): string {
  let h = 0;
  for (const c of personId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `00000000-0000-4000-8000-${h.toString(16).padStart(12, '0')}`;
}

/** Loopback Bot Connector: accepts every activity the bots post and answers at once. */
async function startConnector(): Promise<{ url: string; close(): Promise<void>; count(): number }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts += 1;
      // Two calls: restify, loaded in this process, patches writeHead so it no longer chains.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `a-${posts}` }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, count: () => posts, close: () => new Promise((r) => server.close(() => r())) };
}

/** The bare baseline: botbuilder CloudAdapter behind restify, echoing every message. */
async function startEchoBot(): Promise<{ url: string; close(): Promise<void> }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`eco: ${context.activity.text}`);
    await next();
  });
  const server = restify.createServer({ name: 'echo' });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => { await adapter.process(req, res, (context) => bot.run(context)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`, close: () => new Promise((r) => server.close(() => r())) };
}

function activity(serviceUrl: string, conversationId: string, personId: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message', id: randomUUID(), channelId: 'msteams', serviceUrl, locale: 'es-MX', timestamp: new Date().toISOString(),
    from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) }, recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: conversationId, conversationType: 'personal' }, ...extra,
  };
}

async function post(url: string, body: unknown): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`HTTP ${res.status} from ${url}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Requests per second with CONCURRENCY in flight; `make(i)` gives the i-th request. */
async function throughput(count: number, make: (i: number) => [string, unknown]): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const [url, body] = make(next++);
      await post(url, body);
    }
  }));
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Latencies (ms) of `count` requests sent at RATE per second, open loop. */
async function latencies(count: number, make: (i: number) => [string, unknown]): Promise<number[]> {
  const results: Promise<number>[] = [];
  const start = Date.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [url, body] = make(i);
    results.push(post(url, body));
  }
  return Promise.all(results);
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Brings `count` conversations to the intake summary, so their next message («confirmar») creates the order. */
async function prepareIntakes(botUrl: string, serviceUrl: string, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `a:${prefix}-${i}`);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await post(botUrl, activity(serviceUrl, id, requesterOf(id), { text: 'la impresora de la sala 3 no imprime, inventario CJF-1234' }));
    }
  }));
  return ids;
}

/** Ids of `count` orders in `reported` (created by the intake runs), for «take». */
async function reportedOrders(uri: string, count: number): Promise<string[]> {
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db(DEFAULT_DATABASE);
    const ids = await db.collection('orders').find({ status: 'reported' }, { projection: { _id: 1 } }).limit(count).toArray();
    return ids.map((d) => (d._id as ObjectId).toHexString());
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bot-'));
  const directory = JSON.parse(readFileSync(join(__dirname, '../../services/directory/example-directory.json'), 'utf8')) as { people: Array<Record<string, unknown>> };
  for (const [prefix, count] of INTAKE_CONVERSATIONS) {
    for (let i = 0; i < count; i++) {
      const id = requesterOf(`a:${prefix}-${i}`);
      directory.people.push({ id, name: `Solicitante ${prefix} ${i}`, email: `${id}@cjf.example.mx`, roles: ['requester'], centreIds: ['CJPF-CDMX'], extension: String(5000 + i) });
    }
  }
  for (const p of directory.people) p.aadObjectId = aadOf(String(p.id));
  writeFileSync(join(dir, 'directory.json'), JSON.stringify(directory));
  const connector = await startConnector();
  const echo = await startEchoBot();
  let service: RunningService | undefined;
  let engine: EngineProcess | undefined;
  try {
    // The engine as its own process, as a database server would run beside the service; the
    // bench reads the orders the service made through it.
    engine = await startEngineProcess(join(dir, 'data'));
    const uri = new URL(engine.uri);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', MONGODB_URI: uri.toString(), CEDULA_SECRET: 'bench-cedula-secret-0123456789abcdef', DIRECTORY_FILE: join(dir, 'directory.json'), LOG_LEVEL: 'silent' });
    service = await startService(config, createLogger('silent'));
    const botUrl = `http://127.0.0.1:${service.port}/api/messages`;
    const sUrl = connector.url;
    const echoMsg = (i: number): [string, unknown] => [echo.url, activity(sUrl, `a:echo-${i % 64}`, REQUESTER, { text: `hola ${i}` })];

    // Warm-up of both bots (JIT, connections, indexes).
    await throughput(100, echoMsg);
    const warm = await prepareIntakes(botUrl, sUrl, 'warm', 40);
    await throughput(warm.length, (i) => [botUrl, activity(sUrl, warm[i]!, requesterOf(warm[i]!), { text: 'confirmar' })]);

    // Every figure is measured in SLICES alternating slices (echo, intake, card action), so
    // load from other work on this shared machine weighs on the three alike.
    const tp = await prepareIntakes(botUrl, sUrl, 'tp', THROUGHPUT_REQUESTS);
    const lt = await prepareIntakes(botUrl, sUrl, 'lat', LATENCY_REQUESTS);
    // Orders for the card action («take» needs a reported order each), made by the same intake.
    const stock = await prepareIntakes(botUrl, sUrl, 'stock', THROUGHPUT_REQUESTS + LATENCY_REQUESTS);
    await throughput(stock.length, (i) => [botUrl, activity(sUrl, stock[i]!, requesterOf(stock[i]!), { text: 'confirmar' })]);
    const takeIds = await reportedOrders(uri.toString(), THROUGHPUT_REQUESTS + LATENCY_REQUESTS);
    if (takeIds.length < THROUGHPUT_REQUESTS + LATENCY_REQUESTS) throw new Error(`only ${takeIds.length} reported orders to take`);
    const take = (id: string, conv: string): unknown => activity(sUrl, conv, ANALYST, {
      type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'take', data: { orderId: id, verb: 'take', version: 1 } } },
    });
    const kinds = {
      echo: { tp: (i: number) => echoMsg(i), lat: (i: number) => echoMsg(100_000 + i) },
      intake: { tp: (i: number): [string, unknown] => [botUrl, activity(sUrl, tp[i]!, requesterOf(tp[i]!), { text: 'confirmar' })], lat: (i: number): [string, unknown] => [botUrl, activity(sUrl, lt[i]!, requesterOf(lt[i]!), { text: 'confirmar' })] },
      // The analyst acts from their one chat with the bot.
      card: { tp: (i: number): [string, unknown] => [botUrl, take(takeIds[i]!, 'a:analyst')], lat: (i: number): [string, unknown] => [botUrl, take(takeIds[THROUGHPUT_REQUESTS + i]!, 'a:analyst')] },
    };
    const seconds = { echo: 0, intake: 0, card: 0 };
    const lat: Record<keyof typeof kinds, number[]> = { echo: [], intake: [], card: [] };
    const tpSlice = THROUGHPUT_REQUESTS / SLICES;
    const latSlice = LATENCY_REQUESTS / SLICES;
    for (let slice = 0; slice < SLICES; slice++) {
      for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>) {
        const t0 = process.hrtime.bigint();
        await throughput(tpSlice, (i) => kinds[kind].tp(slice * tpSlice + i));
        seconds[kind] += Number(process.hrtime.bigint() - t0) / 1e9;
        lat[kind].push(...(await latencies(latSlice, (i) => kinds[kind].lat(slice * latSlice + i))));
      }
    }
    const echoRate = THROUGHPUT_REQUESTS / seconds.echo;
    const intakeRate = THROUGHPUT_REQUESTS / seconds.intake;
    const cardRate = THROUGHPUT_REQUESTS / seconds.card;
    const [echoLat, intakeLat, cardLat] = [lat.echo, lat.intake, lat.card];

    const rows: Array<[string, string, string, boolean | undefined]> = [
      ['echo bot throughput', `${echoRate.toFixed(0)} req/s`, '(baseline)', undefined],
      ['echo bot latency at 50 req/s', `p50 ${pct(echoLat, 50).toFixed(1)} ms, p99 ${pct(echoLat, 99).toFixed(1)} ms`, '', undefined],
      ['intake completion throughput', `${intakeRate.toFixed(0)} req/s (${((100 * intakeRate) / echoRate).toFixed(0)}% of echo)`, '≥ 50% of echo', intakeRate >= echoRate / 2],
      ['intake completion latency at 50 req/s', `p50 ${pct(intakeLat, 50).toFixed(1)} ms, p99 ${pct(intakeLat, 99).toFixed(1)} ms`, 'p99 ≤ 100 ms', pct(intakeLat, 99) <= 100],
      ['card action throughput', `${cardRate.toFixed(0)} req/s (${((100 * cardRate) / echoRate).toFixed(0)}% of echo)`, '≥ 50% of echo', cardRate >= echoRate / 2],
      ['card action latency at 50 req/s', `p50 ${pct(cardLat, 50).toFixed(1)} ms, p99 ${pct(cardLat, 99).toFixed(1)} ms`, 'p99 ≤ 100 ms', pct(cardLat, 99) <= 100],
    ];
    process.stdout.write(`Teams bot benchmark — concurrency ${CONCURRENCY} for throughput, open loop at ${RATE} req/s for latency; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    for (const [figure, value, target, pass] of rows) {
      process.stdout.write(`${figure.padEnd(40)} ${value.padEnd(36)} ${target.padEnd(14)} ${pass === undefined ? '' : pass ? 'PASS' : 'MISS'}\n`);
    }
    process.stdout.write(`connector stand-in received ${connector.count()} activities\n`);
  } finally {
    await service?.stop();
    await engine?.stop();
    await echo.close();
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
