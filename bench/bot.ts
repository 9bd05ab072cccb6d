/**
 * The Teams bot through real HTTP, measured as the outside world would: the load generator
 * (autocannon), a bare echo bot (botbuilder CloudAdapter + restify) and the service (`npm
 * start`'s program on the embedded engine, on a fresh data directory) each run in their own
 * process, and both bots are asked for their replies in the HTTP answer (`deliveryMode:
 * 'expectReplies'`). Figures: the lightest turn («ayuda»), intake completion («confirmar»
 * that creates the order, once per prepared conversation) and a card action (Action.Execute
 * «take»), each as req/s with CONNECTIONS in flight and as a share of the echo bot, p50/p99
 * latency there, and p99 at a fixed RATE req/s. Run with `npm run bench:bot` (`-- --force`
 * to measure on a busy machine). A script that prints figures, not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { DEFAULT_DATABASE } from '../services/config';
import { loadLine, requireIdleMachine } from './support/machine';
import { LoadResult, runLoad, startEchoBotProcess } from './support/load';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { activity, startConnector, writeBenchDirectory } from './support/teams';

const CONNECTIONS = 10;
const RATE = 50;
/** Requests of each fixed-rate run: five seconds at RATE. */
const AT_RATE = 250;
/** Requests of each throughput run of the echo bot and «ayuda». */
const REPEATED = 3000;
/** Conversations brought to the intake summary before measuring; each confirms once. */
const INTAKES = Number(process.env.BENCH_INTAKES ?? 2000);
const HELPERS = 64;
const ANALYST = 'ana.lopez';
const INTAKE_TEXT = 'la impresora de la sala 3 no imprime, inventario CJF-1234';

const requesterOf = (conversationId: string) => `req.${conversationId.slice(2)}`;
const conversations = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `a:${prefix}-${i}`);

async function ordersIn(uri: string, status: string): Promise<string[]> {
  const client = await MongoClient.connect(uri);
  try {
    const docs = await client
      .db(DEFAULT_DATABASE)
      .collection('orders')
      .find({ status }, { projection: { _id: 1 }, sort: { createdAt: 1 } })
      .toArray();
    return docs.map((d) => d._id.toHexString());
  } finally {
    await client.close();
  }
}

function row(figure: string, r: LoadResult, echo?: LoadResult): string {
  const share = echo ? ` (${((100 * r.perSecond) / echo.perSecond).toFixed(0)} % of echo)` : '';
  const failed = r.failures ? `  ${r.failures} FAILED` : '';
  return `${figure.padEnd(30)} ${`${r.perSecond.toFixed(0)} req/s${share}`.padEnd(28)} p50 ${r.p50Ms.toFixed(1).padStart(6)} ms  p99 ${r.p99Ms.toFixed(1).padStart(6)} ms${failed}`;
}

async function main(): Promise<void> {
  const machine = requireIdleMachine('bench:bot');
  const mark = machine.forced ? ' FORCED' : '';
  const dir = mkdtempSync(join(tmpdir(), 'bench-bot-'));
  const intakes = {
    warm: conversations('warm', 40),
    tp: conversations('tp', INTAKES),
    rate: conversations('rate', AT_RATE),
  };
  const helpers = conversations('help', HELPERS);
  const people = [...intakes.warm, ...intakes.tp, ...intakes.rate, ...helpers].map(requesterOf);
  writeBenchDirectory(join(dir, 'directory.json'), people);
  const connector = await startConnector();
  const echo = await startEchoBotProcess();
  let service: ServiceProcess | undefined;
  try {
    service = await startServiceProcess({
      dataDir: join(dir, 'data'),
      env: { DIRECTORY_FILE: join(dir, 'directory.json') },
    });
    const botUrl = `http://127.0.0.1:${service.port}/api/messages`;
    const say = (ids: string[], text: string) =>
      ids.map((id) => activity(connector.url, id, requesterOf(id), { text }));
    const take = (orderIds: string[]) =>
      orderIds.map((orderId) =>
        activity(connector.url, 'a:analyst', ANALYST, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb: 'take', data: { orderId, verb: 'take', version: 1 } } },
        }),
      );
    const load = async (url: string, bodies: unknown[], amount: number, rate?: number) => {
      const r = await runLoad({ url, bodies, connections: CONNECTIONS, amount, ...(rate ? { rate } : {}) });
      if (r.failures) process.stdout.write(`  (${r.failures} of ${r.requests} requests to ${url} failed)\n`);
      return r;
    };
    const echoBodies = say(helpers, 'hola');
    const helpBodies = say(helpers, 'ayuda');

    // Warm-up (JIT, connections, indexes), then the conversations brought to their summary.
    await load(echo.url, echoBodies, 500);
    await load(botUrl, helpBodies, 500);
    await load(botUrl, say(intakes.warm, INTAKE_TEXT), intakes.warm.length);
    await load(botUrl, say(intakes.warm, 'confirmar'), intakes.warm.length);
    const prepStart = Date.now();
    await load(botUrl, say([...intakes.tp, ...intakes.rate], INTAKE_TEXT), intakes.tp.length + intakes.rate.length);
    process.stdout.write(
      `prepared ${intakes.tp.length + intakes.rate.length} conversations at their summary in ${((Date.now() - prepStart) / 1000).toFixed(1)} s\n`,
    );
    const before = (await ordersIn(service.engineUri, 'reported')).length;

    process.stdout.write(`throughput (${CONNECTIONS} connections), ${loadLine()}\n`);
    const tp = {
      echo: await load(echo.url, echoBodies, REPEATED),
      help: await load(botUrl, helpBodies, REPEATED),
      intake: await load(botUrl, say(intakes.tp, 'confirmar'), intakes.tp.length),
    };
    const made = (await ordersIn(service.engineUri, 'reported')).length - before;
    const reported = await ordersIn(service.engineUri, 'reported');
    const card = await load(botUrl, take(reported.slice(0, INTAKES)), Math.min(INTAKES, reported.length));
    process.stdout.write(`fixed rate (${RATE} req/s, ${CONNECTIONS} connections), ${loadLine()}\n`);
    const rest = await ordersIn(service.engineUri, 'reported');
    const at = {
      echo: await load(echo.url, echoBodies, AT_RATE, RATE),
      help: await load(botUrl, helpBodies, AT_RATE, RATE),
      intake: await load(botUrl, say(intakes.rate, 'confirmar'), AT_RATE, RATE),
      card: await load(botUrl, take(rest.slice(0, AT_RATE)), Math.min(AT_RATE, rest.length), RATE),
    };
    const taken = (await ordersIn(service.engineUri, 'desk')).length;

    process.stdout.write(`\nbench:bot results${mark}, ${loadLine()} after the runs\n`);
    process.stdout.write(
      `${row('echo bot', tp.echo)}\n${row('«ayuda»', tp.help, tp.echo)}\n${row('intake completion', tp.intake, tp.echo)}\n${row('card action «take»', card, tp.echo)}\n`,
    );
    const p99 = (name: string, r: LoadResult) =>
      `${`p99 at ${RATE} req/s, ${name}`.padEnd(40)} ${r.p99Ms.toFixed(1).padStart(6)} ms  (p50 ${r.p50Ms.toFixed(1)} ms)`;
    process.stdout.write(
      `${p99('echo bot', at.echo)}\n${p99('«ayuda»', at.help)}\n${p99('intake completion', at.intake)}  [target ≤ 100 ms: ${at.intake.p99Ms <= 100 ? 'met' : 'MISSED'}]\n${p99('card action', at.card)}  [target ≤ 100 ms: ${at.card.p99Ms <= 100 ? 'met' : 'MISSED'}]\n`,
    );
    const share = (r: LoadResult) => r.perSecond / tp.echo.perSecond;
    process.stdout.write(
      `targets: intake ≥ 50 % of echo ${share(tp.intake) >= 0.5 ? 'met' : 'MISSED'}; card action ≥ 50 % of echo ${share(card) >= 0.5 ? 'met' : 'MISSED'}${mark}\n`,
    );
    process.stdout.write(
      `checks: ${made} orders created by ${intakes.tp.length} «confirmar»; ${taken} orders taken; Bot Connector stand-in got ${connector.posts()} notices\n`,
    );
  } finally {
    await service?.stop();
    await echo.stop();
    await connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
