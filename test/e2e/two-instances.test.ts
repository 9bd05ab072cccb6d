import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { saveConversationReference } from '../../bot/conversation-refs';
import { MongoDirectoryStore } from '../../services/directory/directory-store';
import { MongoOrderStore } from '../../services/orders/order-store';
import { reportOrder } from '../../services/orders/report-order';
import type { ServiceOrder } from '../../services/orders/types';
import type { NotificationDoc } from '../../services/outbox';
import { aadOf, botDirectoryJson } from '../bot/support/world';
import { folderCounts, sendMail } from '../intake/support/harness';
import { MailStack, startMailStack } from '../support/mail-stack';
import { openTestDatabase, TestDatabase } from '../support/mongo';
import { Teardown } from '../support/teardown';
import { stillWaitingFor, until } from './world';

const ROOT = resolve(__dirname, '../..');
const ENTRY = join(ROOT, 'dist/services/index.js');
const DESK = { user: 'escritorio@cjf.example.mx', password: 'clave' };
const TEAMS_ORDERS = 30;
const MAIL_SENDERS = ['maria.hernandez', 'jose.chan', 'patricia.garcia', 'fernando.ruiz'];

interface Instance {
  child: ChildProcess;
  port: number;
}

/**
 * A Bot Connector stand-in that records each activity when it arrives and answers it only
 * while released: while held, every send stays on the wire, so a kill during the hold
 * finds the instance with sends in flight — an event the test controls, not a timing guess.
 */
async function startHoldingConnector() {
  const posts: Array<{ conversationId: string; body: { text?: string; type?: string } }> = [];
  let held: Array<() => void> | undefined;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
      if (req.method === 'POST' && match)
        posts.push({ conversationId: decodeURIComponent(match[1]!), body: JSON.parse(data) });
      const id = `a-${posts.length}`;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts,
    hold: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () =>
      new Promise<void>((r) => {
        held = undefined;
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * Stops an instance by PID: SIGTERM, then SIGKILL when it has not exited after a grace
 * period; resolves once it has exited.
 */
async function stopInstance(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    process.kill(child.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      exited,
      new Promise((r) => {
        timer = setTimeout(r, 10_000);
      }),
    ]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Starts the built service as its own process, registered on `teardown` at once; resolves once it logs "listening". */
async function startInstance(env: NodeJS.ProcessEnv, teardown: Teardown): Promise<Instance> {
  const child = await teardown.add(
    spawn(process.execPath, [ENTRY], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    stopInstance,
  );
  child.stderr!.resume();
  const port = await new Promise<number>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as { msg?: string; port?: number };
        if (line.msg === 'listening') ok(line.port!);
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', (code) => fail(new Error(`instance exited early with ${code}`)));
  });
  return { child, port };
}

/**
 * Two service processes on one database and one desk mailbox; one is killed (SIGKILL) in
 * the middle of a burst. The survivor finishes the work: every notice owed is delivered,
 * each order moves once even when both instances receive the same card action, and every
 * mail becomes exactly one order.
 */
describe('two service instances, one killed mid-run', () => {
  let tdb: TestDatabase;
  let stack: MailStack;
  let connector: Awaited<ReturnType<typeof startHoldingConnector>>;
  let dir: string;
  const instances: Instance[] = [];
  const teardown = new Teardown();

  beforeAll(async () => {
    if (!existsSync(ENTRY))
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: ROOT,
      });
    dir = await teardown.add(mkdtempSync(join(tmpdir(), 'two-instances-')), async (d) =>
      rmSync(d, { recursive: true, force: true }),
    );
    const directory = botDirectoryJson() as {
      people: Array<{ id: string; email: string }>;
      providers: Array<{ contactEmails: string[] }>;
    };
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(directory));
    const emails = new Set([
      DESK.user,
      ...directory.people.map((p) => p.email),
      ...directory.providers.flatMap((p) => p.contactEmails),
    ]);
    [tdb, stack, connector] = await Promise.all([
      openTestDatabase().then((t) => teardown.add(t, (x) => x.close())),
      startMailStack({ users: [...emails].map((user) => ({ user, password: 'clave' })) }).then((m) =>
        teardown.add(m, (x) => x.stop()),
      ),
      startHoldingConnector().then((c) => teardown.add(c, (x) => x.close())),
    ]);
    for (const id of ['fernando.ruiz', 'ana.lopez', 'carlos.ramirez']) {
      await saveConversationReference(
        tdb.db,
        {
          channelId: 'msteams',
          serviceUrl: connector.url,
          bot: { id: '28:bot', name: 'Mesa' },
          user: { id: `29:${id}`, name: id },
          conversation: { id: `a:${id}`, conversationType: 'personal', isGroup: false, name: '' },
        },
        aadOf(id),
        new Date(),
        id,
      );
    }
    const env = (name: string): NodeJS.ProcessEnv => ({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: join(dir, name),
      MONGODB_URI: tdb.uri.replace('/?', `/${tdb.dbName}?`),
      CEDULA_SECRET: 'e2e-cedula-secret-0123456789abcdef',
      DIRECTORY_FILE: join(dir, 'directory.json'),
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(stack.imap.port),
      IMAP_SECURE: 'false',
      IMAP_USER: DESK.user,
      IMAP_PASSWORD: DESK.password,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(stack.smtp.port),
      SMTP_SECURE: 'false',
      MAIL_FROM: DESK.user,
      MAIL_AUTHSERV_ID: 'mx.cjf.example.mx',
      MAIL_LEASE_SECONDS: '3',
      NOTIFY_LEASE_SECONDS: '15',
      // Each notice its own message, so a notice sent twice shows as a repeated message.
      NOTIFY_DIGEST_SECONDS: '0',
    });
    instances.push(await startInstance(env('a'), teardown));
    instances.push(await startInstance(env('b'), teardown));
  }, 180_000);

  afterEach(() => {
    const pending = stillWaitingFor();
    if (pending.length > 0) console.error(`still waiting for: ${pending.join('; ')}`);
  });

  afterAll(async () => {
    await teardown.close();
  }, 60_000);

  /** Ana presses «Tomar la orden» on a card of `order` drawn at its version, through one instance's bot endpoint. */
  async function take(instance: Instance, order: ServiceOrder): Promise<string> {
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `take-${order.folio}-${instance.port}`,
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:ana.lopez', name: 'Ana López', aadObjectId: aadOf('ana.lopez') },
      recipient: { id: '28:bot', name: 'Mesa' },
      conversation: { id: 'a:ana.lopez', conversationType: 'personal' },
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'take',
          data: { orderId: order._id.toHexString(), verb: 'take', version: order.version },
        },
      },
    };
    try {
      const res = await fetch(`http://127.0.0.1:${instance.port}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
      });
      return JSON.stringify(await res.json());
    } catch (error) {
      return `unreachable: ${String(error)}`;
    }
  }

  it('loses no notice, sends none twice beyond the killed instance in-flight sends, and moves no order twice', async () => {
    const [a, b] = instances as [Instance, Instance];
    const deps = {
      orders: new MongoOrderStore(tdb.db),
      directory: new MongoDirectoryStore(tdb.client, tdb.db),
      timeZone: 'America/Mexico_City',
    };
    const notifications = () => tdb.db.collection<NotificationDoc>('notifications');
    for (const [i, id] of MAIL_SENDERS.entries()) {
      await sendMail(stack, {
        from: `${id}@cjf.example.mx`,
        to: DESK.user,
        subject: `Falla ${i}: no hay red`,
        text: `No hay red en la sala ${i}.`,
        messageId: `<two-${i}@cjf.example.mx>`,
      });
    }
    const answers: string[][] = [];
    // Sends are held from the first report until A is killed, as soon as both instances have
    // claimed notices: A dies with sends on the wire, whatever the machine's speed.
    connector.hold();
    let claimedAtKill = 0;
    const killA = (async () => {
      await until(
        'both instances to be sending',
        async () => (await notifications().distinct('claimedBy', { state: 'claimed' })).length === 2,
      );
      claimedAtKill = await notifications().countDocuments({ state: 'claimed' });
      const exited = new Promise((r) => a.child.once('exit', r));
      process.kill(a.child.pid!, 'SIGKILL');
      await exited;
      connector.release();
    })();
    killA.catch(() => undefined); // awaited after the burst; this only keeps it from being "unhandled" meanwhile
    for (let i = 0; i < TEAMS_ORDERS; i += 1) {
      const order = await reportOrder(deps, {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'computer' },
        description: `El equipo ${i} no enciende.`,
      });
      answers.push(await Promise.all([take(a, order), take(b, order)]));
    }
    await killA;
    const orders = tdb.db.collection<ServiceOrder>('orders');
    await until('every mail to become an order', async () => {
      const counts = await folderCounts(stack, DESK);
      if (counts.Cuarentena || counts.Rechazados) throw new Error(`mail not taken: ${JSON.stringify(counts)}`);
      return counts.Procesados === MAIL_SENDERS.length;
    });
    await until(
      'every notice to be final',
      async () =>
        (await orders.countDocuments({ 'outbox.0': { $exists: true } })) === 0 &&
        (await notifications().countDocuments({ state: { $in: ['pending', 'claimed'] } })) === 0 &&
        (await orders.countDocuments({ channel: 'email' })) === MAIL_SENDERS.length &&
        (await notifications().countDocuments({})) === TEAMS_ORDERS * 3 + MAIL_SENDERS.length * 3,
    );

    // No order advanced twice: one «take» each, whatever both instances were asked.
    for (const o of await orders.find({ channel: 'teams' }).toArray()) {
      expect([o.folio, o.status, o.version, o.history.filter((h) => h.action === 'take').length]).toEqual([
        o.folio,
        'desk',
        2,
        1,
      ]);
    }
    // Each pair of clicks: one «Hecho». None only when A was killed inside its take, after its
    // write and before its answer: B then finds the order already taken, and A never answers.
    for (const [fromA, fromB] of answers as Array<[string, string]>) {
      const done = [fromA, fromB].filter((x) => x.includes('Hecho: Tomar la orden')).length;
      if (done === 0) expect(fromA).toMatch(/^unreachable/);
      else expect(done).toBe(1);
    }
    // Every mail became exactly one order.
    const fromMail = await orders.find({ channel: 'email' }).toArray();
    expect(fromMail.map((o) => o.requester.personId).sort()).toEqual([...MAIL_SENDERS].sort());

    // No notice lost: every one owed was delivered, three per order. A Teams order tells the two
    // analysts and, on «take», its requester (a chat report owes no folio receipt); a mailed
    // order tells the analysts and sends its requester the receipt.
    const all = await notifications().find({}).toArray();
    expect(all.filter((n) => n.state !== 'sent').map((n) => [n._id, n.state, n.reason])).toEqual([]);
    const postsTo = (conversation: string) => connector.posts.filter((p) => p.conversationId === conversation);
    expect(postsTo('a:ana.lopez').length).toBeGreaterThanOrEqual(TEAMS_ORDERS + MAIL_SENDERS.length);
    expect(postsTo('a:carlos.ramirez').length).toBeGreaterThanOrEqual(TEAMS_ORDERS + MAIL_SENDERS.length);
    // None sent twice, except what the killed instance may have had on the wire: those were
    // claimed again after its lease ran out (attempts > 1) and are the only candidates.
    const reclaimed = all.filter((n) => n.attempts > 1).length;
    const texts = connector.posts.map((p) => `${p.conversationId}|${p.body.text}`);
    const duplicates = texts.length - new Set(texts).size;
    expect(reclaimed).toBeGreaterThan(0);
    expect(duplicates).toBeLessThanOrEqual(reclaimed);
    if (connector.posts.length !== all.filter((n) => n.channel === 'teams').length + duplicates) {
      console.log(
        connector.posts
          .slice(0, 12)
          .map((p) => `${p.conversationId} ${p.body.type} ${p.body.text}`)
          .join('\n'),
      );
    }
    // Every notice recorded as sent through Teams was posted there.
    expect(connector.posts.length).toBe(all.filter((n) => n.channel === 'teams').length + duplicates);
    console.log(
      `two instances: ${all.length} notices delivered, ${claimedAtKill} claimed (both instances) at the kill, ${reclaimed} reclaimed from the killed one, ${duplicates} Teams duplicates`,
    );
  }, 240_000);
});
