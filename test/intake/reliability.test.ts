import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { MongoClient } from 'mongodb';
import { MongoDirectoryStore } from '../../services/directory/directory-store';
import { EmailChannel } from '../../services/mail/email-channel';
import { SmtpMailSender } from '../../services/mail/mail-sender';
import { OutboxDispatcher, OutboxRelay } from '../../services/outbox';
import { IntakeStore } from '../../intake/intake-store';
import { MailStack, startMailStack } from '../support/mail-stack';
import {
  ALL_USERS,
  appendRaw,
  DESK,
  DIRECTORY,
  folderCounts,
  mailsIn,
  rawMail,
  REQUESTER,
  silent,
} from './support/harness';

const ROOT = join(__dirname, '..', '..');
const ENGINE = join(ROOT, 'packages', 'embedded-mongo', 'dist', 'src', 'cli.js');
const SERVICE = join(ROOT, 'dist', 'services', 'index.js');
const MAILS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const trace = (...a: unknown[]) => {
  if (process.env.INTAKE_TEST_TRACE) process.stderr.write(`${new Date().toISOString()} ${a.join(' ')}\n`);
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The engine as its own process on a fixed port, so a restart comes back where clients look. */
async function startEngine(port: number, dbPath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [ENGINE, '--port', String(port), '--dbpath', dbPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`engine exited ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('mongodb://')) resolve();
    });
  });
  return child;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * Waits until `probe` reaches `target`, for as long as it keeps moving: it fails only when
 * the value has not grown for `stallMs`, so a busy machine that works slowly still passes
 * and a stuck one fails within a bounded time.
 */
async function waitForProgress(
  what: string,
  probe: () => Promise<number>,
  target: number,
  stallMs = 60_000,
): Promise<void> {
  let best = -Infinity;
  let movedAt = Date.now();
  for (;;) {
    const value = await probe();
    if (value >= target) return;
    if (value > best) {
      best = value;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`${what}: stuck at ${value} of ${target} for ${stallMs} ms`);
    }
    await sleep(100);
  }
}

/** Resolves at the first mail the child reports handled (its log line), rejects if it exits first. */
function firstHandled(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered = (buffered + chunk.toString()).slice(-4096);
      if (buffered.includes('"msg":"mail handled"')) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`service exited (${code}) before handling a mail`));
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

const built = existsSync(ENGINE) && existsSync(SERVICE);

(built ? describe : describe.skip)(
  'mail intake under crashes (built service --intake-only, SIGKILL, DB and IMAP restarts)',
  () => {
    let stack: MailStack;
    let dir: string;
    let engine: ChildProcess;
    let client: MongoClient;
    const children = new Set<ChildProcess>();
    let dispatching = true;
    let dispatchLoop: Promise<void> | undefined;
    let sender: SmtpMailSender | undefined;

    afterAll(async () => {
      dispatching = false;
      await dispatchLoop;
      await sender?.close();
      for (const c of children) await stopChild(c, 'SIGKILL');
      await client?.close().catch(() => undefined);
      if (engine) await stopChild(engine, 'SIGTERM');
      await stack?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it(`turns ${MAILS} mails into exactly ${MAILS} orders and ${MAILS} acknowledgements`, async () => {
      stack = await startMailStack({
        users: ALL_USERS,
        domains: ['cjf.example.mx', 'proveedor.example.com', 'externo.example.org'],
      });
      dir = await mkdtemp(join(tmpdir(), 'intake-crash-'));
      await writeFile(join(dir, 'directory.json'), JSON.stringify(DIRECTORY));
      const dbPort = await freePort();
      engine = await startEngine(dbPort, join(dir, 'db'));
      const uri = `mongodb://127.0.0.1:${dbPort}/crash`;
      client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 2000 });
      const db = client.db('crash');
      trace('engine up');
      await appendRaw(
        stack,
        Array.from({ length: MAILS }, (_, i) =>
          rawMail({
            from: REQUESTER.user,
            subject: `Falla ${i}`,
            id: `<crash-${i}@cjf.example.mx>`,
            body: `Falla número ${i}.`,
          }),
        ),
      );

      trace('appended');
      // Acknowledgements go out from this process, which is never killed.
      sender = new SmtpMailSender({
        ...stack.smtp,
        secure: false,
        ignoreTLS: true,
        from: DESK.user,
        maxConnections: 4,
      });
      const email = new EmailChannel({
        sender,
        directory: new MongoDirectoryStore(client, db),
        refs: new IntakeStore(db),
      });
      // Only the requesters' acknowledgements are under test; analysts' notices are left unsent.
      const channel = {
        name: email.name,
        canReach: (r: { role: string }) => r.role === 'requester',
        send: email.send.bind(email),
      };
      const relay = new OutboxRelay({ db, logger: silent });
      // Four dispatchers share the outbox (claims are atomic), as replicas would.
      const dispatchers = Array.from(
        { length: 4 },
        () => new OutboxDispatcher({ db, logger: silent, channels: [channel], baseDelayMs: 200, leaseMs: 10_000 }),
      );
      dispatchLoop = Promise.all(
        dispatchers.map(async (dispatcher, i) => {
          while (dispatching) {
            try {
              if (i === 0) await relay.relayOnce();
              if ((await dispatcher.dispatchOnce(200)) === 0) await sleep(200);
            } catch {
              await sleep(300); // the engine is restarting
            }
          }
        }),
      ).then(() => undefined);

      const env = {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        MONGODB_URI: uri,
        CEDULA_SECRET: 'intake-cedula-secret-0123456789abcdef',
        DIRECTORY_FILE: join(dir, 'directory.json'),
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(stack.imap.port),
        IMAP_SECURE: 'false',
        IMAP_USER: DESK.user,
        IMAP_PASSWORD: DESK.password,
        // info: the test waits on the service's own "mail handled" lines.
        LOG_LEVEL: 'info',
        MAIL_AUTHSERV_ID: 'mx.cjf.example.mx',
        MAIL_MAX_PER_SENDER_HOUR: '100000',
        MAIL_LEASE_SECONDS: '2',
      };
      // Progress as stored orders: each mail's order is written as soon as it is handled.
      const stored = async () =>
        db
          .collection('orders')
          .countDocuments()
          .catch(() => -1);
      const moved = async () => {
        const c = await folderCounts(stack);
        return c.Procesados + c.Cuarentena;
      };
      let kills = 0;
      let round = 0;
      const spawnService = () => {
        const child = spawn(process.execPath, [SERVICE, '--intake-only'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
        child.stdout!.resume(); // never let an unread pipe stall the service
        children.add(child);
        child.once('exit', () => children.delete(child));
        return child;
      };
      // Kill the service at random points while it works, until ten kills have landed mid-work.
      while (kills < 10) {
        round += 1;
        const before = await stored();
        trace('round', round, 'stored', before, 'kills', kills);
        expect(before).toBeLessThan(MAILS); // every kill must land while mail is still pending
        const child = spawnService();
        // Kill only once this instance is working: after the first mail it reports handled.
        await firstHandled(child);
        if (round === 3) {
          trace('restarting the engine under the running service');
          await stopChild(engine, 'SIGTERM');
          await sleep(300);
          engine = await startEngine(dbPort, join(dir, 'db'));
        }
        if (round === 6) {
          trace('restarting IMAP under the running service');
          await stack.restartImap({ downMs: 300 });
        }
        await sleep(Math.random() * 150);
        await stopChild(child, 'SIGKILL');
        kills += 1;
      }
      trace('kills done; a last service finishes the mailbox');
      const last = spawnService();
      await waitForProgress('every mail moved', moved, MAILS);
      await stopChild(last, 'SIGTERM');

      const orders = await db
        .collection('orders')
        .find({}, { projection: { folio: 1, description: 1 } })
        .toArray();
      expect(orders).toHaveLength(MAILS);
      expect(new Set(orders.map((o) => o.folio)).size).toBe(MAILS);
      expect(new Set(orders.map((o) => o.description)).size).toBe(MAILS);
      expect(await folderCounts(stack)).toMatchObject({ INBOX: 0, Procesados: MAILS, Cuarentena: 0 });
      expect(await db.collection('mail_log').countDocuments()).toBe(MAILS);
      expect(kills).toBeGreaterThanOrEqual(10);

      const delivered = async () => {
        const count = (await folderCounts(stack, REQUESTER)).INBOX;
        if (process.env.INTAKE_TEST_TRACE)
          trace(
            'acks delivered',
            count,
            JSON.stringify(
              await db
                .collection('notifications')
                .aggregate([{ $group: { _id: { s: '$state', e: '$event' }, n: { $sum: 1 } } }])
                .toArray(),
            ),
          );
        return count;
      };
      await waitForProgress('every acknowledgement', delivered, MAILS);
      const acks = await mailsIn(stack, REQUESTER);
      const parsed = await Promise.all(acks.map((m) => simpleParser(m)));
      expect(new Set(parsed.map((m) => m.messageId)).size).toBe(MAILS);
      expect(new Set(parsed.map((m) => /\[(OS-\d{4}-\d{6})\]/.exec(m.subject ?? '')?.[1])).size).toBe(MAILS);
      expect(await db.collection('notifications').countDocuments({ event: 'order_reported', state: 'sent' })).toBe(
        MAILS,
      );
    }, 1_200_000); // bounded by the waits, which fail after a minute without progress
  },
);
