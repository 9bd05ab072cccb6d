import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServiceOrder } from '../../services/orders/types';
import { aadOf, botDirectoryJson } from '../bot/support/world';
import { openTestDatabase, TestDatabase } from '../support/mongo';

const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'dist/services/index.js');
const CONVERSATIONS = 24;
const IN_FLIGHT = 3;
/** The folio replies (counted over the run) on whose arrival the service is SIGKILLed. */
const KILL_AT_FOLIO_REPLY = new Set([3, 9, 16]);
const FOLIO = /OS-\d{4}-\d{6}/;

interface Instance {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

/**
 * A Bot Connector stand-in that calls `onFolio` when the service posts a reply carrying a
 * folio, before answering it. The service sends that reply after the order is stored and
 * before the dialog state is saved, so a kill from `onFolio` lands exactly between the two.
 */
async function startKillingConnector(onFolio: (n: number) => void) {
  const folios = new Map<string, string[]>();
  let seen = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      const folio = match ? FOLIO.exec((JSON.parse(data) as { text?: string }).text ?? '')?.[0] : undefined;
      if (match && folio) {
        const conversationId = decodeURIComponent(match[1]!);
        folios.set(conversationId, [...(folios.get(conversationId) ?? []), folio]);
        onFolio(++seen);
      }
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `a-${seen}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    folios,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Starts the built service; resolves once it logs "listening" (rejects if it exits first). */
function startInstance(env: NodeJS.ProcessEnv, started: ChildProcess[]): Promise<Instance> {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  child.stderr!.resume();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise<Instance>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as { msg?: string; port?: number };
        if (line.msg === 'listening') ok({ child, url: `http://127.0.0.1:${line.port!}/api/messages`, exited });
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code, signal) => fail(new Error(`service exited while starting (${code ?? signal})`)));
  });
}

/** Each conversation is its own requester: one with an open order would first be asked whether a new message belongs to it. */
const requesterOf = (i: number) => `solicitante.${i}`;

/** The example directory plus one requester per conversation. */
function crashDirectory(): Record<string, unknown> {
  const json = botDirectoryJson() as { people: Array<Record<string, unknown>> };
  for (let i = 0; i < CONVERSATIONS; i += 1) {
    const id = requesterOf(i);
    json.people.push({
      id,
      name: `Solicitante ${i} Pérez`,
      email: `${id}@cjf.example.mx`,
      roles: ['requester'],
      centreIds: ['CJPF-CDMX'],
      extension: String(6000 + i),
      aadObjectId: aadOf(id),
    });
  }
  return json;
}

function activity(serviceUrl: string, personId: string, conversationId: string, id: string, text: string) {
  return {
    type: 'message',
    id,
    text,
    channelId: 'msteams',
    serviceUrl,
    locale: 'es-MX',
    timestamp: new Date().toISOString(),
    from: { id: `29:${personId}`, name: personId, aadObjectId: aadOf(personId) },
    recipient: { id: '28:bot', name: 'Mesa de Servicio' },
    conversation: { id: conversationId, conversationType: 'personal' },
  };
}

/**
 * A stream of Teams reports against the built service, which is SIGKILLed three times, each
 * time between an order's insert and its dialog-state save. Every report not answered is
 * sent again (same activity) to the restarted service, as Teams would retry it. Auditors
 * read folios as a series: it must come out 1..N, one order per report.
 */
describe('reports through service crashes', () => {
  let tdb: TestDatabase | undefined;
  let connector: Awaited<ReturnType<typeof startKillingConnector>> | undefined;
  let dir: string | undefined;
  const started: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of started) {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGKILL');
        await gone;
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    await connector?.close();
    await tdb?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('numbers folios 1..N without gaps or duplicates when the service is killed mid-stream and the unanswered reports are retried', async () => {
    if (!existsSync(ENTRY))
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
      });
    dir = mkdtempSync(join(tmpdir(), 'crash-intake-'));
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(crashDirectory()));
    tdb = await openTestDatabase();
    const env: NodeJS.ProcessEnv = {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: join(dir, 'data'),
      MONGODB_URI: tdb.uri.replace('/?', `/${tdb.dbName}?`),
      CEDULA_SECRET: 'crash-intake-cedula-secret-0123456789abcdef',
      DIRECTORY_FILE: join(dir, 'directory.json'),
    };
    let current: Promise<Instance> = startInstance(env, started);
    let kills = 0;
    connector = await startKillingConnector((n) => {
      if (!KILL_AT_FOLIO_REPLY.has(n)) return;
      kills += 1;
      const victim = current;
      current = victim.then(async (instance) => {
        process.kill(instance.child.pid!, 'SIGKILL');
        await instance.exited;
        return startInstance(env, started);
      });
    });
    const serviceUrl = connector.url;

    /** Posts one activity until the service running at that moment answers 200 (Teams retries the same activity). */
    const deliver = async (body: ReturnType<typeof activity>) => {
      for (;;) {
        const instance = await current;
        const status = await fetch(instance.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(
          (r) => r.arrayBuffer().then(() => r.status),
          () => 0,
        );
        if (status === 200) return;
        // Refused or cut by the kill: wait for the restarted service (the next `current`).
        if (status === 0) await instance.exited;
        else throw new Error(`HTTP ${status} for ${body.id}`);
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < CONVERSATIONS) {
          const i = next++;
          const conversationId = `a:crash-${i}`;
          await deliver(
            activity(
              serviceUrl,
              requesterOf(i),
              conversationId,
              `first-${i}`,
              `la impresora de la sala ${i} no imprime, inventario CJF-${1000 + i}`,
            ),
          );
          await deliver(activity(serviceUrl, requesterOf(i), conversationId, `confirm-${i}`, 'confirmar'));
        }
      }),
    );

    expect(kills).toBe(KILL_AT_FOLIO_REPLY.size);
    const orders = await tdb.db
      .collection<ServiceOrder>('orders')
      .find({}, { projection: { folio: 1 } })
      .toArray();
    const numbers = orders.map((o) => Number(o.folio.slice(-6))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: CONVERSATIONS }, (_, i) => i + 1));
    // Each conversation was answered with one folio, however many times it was answered.
    const given = [...connector.folios.values()].map((f) => new Set(f));
    expect(connector.folios.size).toBe(CONVERSATIONS);
    expect(given.every((s) => s.size === 1)).toBe(true);
    expect(new Set(given.flatMap((s) => [...s])).size).toBe(CONVERSATIONS);
  }, 300_000);
});
