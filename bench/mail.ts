/**
 * Mail intake on this machine, against a real Dovecot + Exim on loopback (`npm run bench:mail`,
 * `-- --force` on a busy machine; needs root and the mail stack packages):
 *  1. raw nodemailer (pool) → Exim accepting, the ceiling for any mail the service sends;
 *  2. intake: N realistic mails (plain and HTML, 20 % with a 50 KB attachment) already in the
 *     desk INBOX when the service starts → time until every one is filed out of the INBOX
 *     (Procesados or Cuarentena), which the poller does only after its order is stored; the
 *     service's CPU time per mail over that time;
 *  3. notices: the receipts and analyst notices those orders cause, time until the outbox has
 *     sent them all (Exim accepts and queues them, as a remote server would take them away).
 * The mailbox is filled by writing Maildir files into Dovecot's mail location before the
 * service starts, so the figure is the service's intake, not a delivery path. The service is
 * `npm start`'s program in its own process (embedded engine, IMAP and SMTP pointed at the
 * stack, each notice on its own); this script only fills the mailbox and counts. BENCH_MAILS
 * (default 5000) and BENCH_RAW (default 1000) change the sizes. The mail servers and the
 * service are stopped by PID however the run ends (failure, Ctrl-C, SIGTERM). A script that
 * prints figures, not a timed test.
 */
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import { DEFAULT_DATABASE } from '../services/config';
import type { Directory } from '../services/directory/schema';
import { MailStack, startMailStack } from '../test/support/mail-stack';
import { loadLine, requireIdleMachine } from './support/machine';
import { ServiceProcess, startServiceProcess } from './support/service-process';

const MAILS = Number(process.env.BENCH_MAILS ?? 5000);
const RAW = Number(process.env.BENCH_RAW ?? 1000);
/** BENCH_COUNT_COMMANDS=1: also print the database commands per mail (command monitoring costs CPU). */
const COUNT_COMMANDS = process.env.BENCH_COUNT_COMMANDS === '1';
const REQUESTERS = 20;
const DESK = { user: 'escritorio@cjf.example.mx', password: 'bench' };
const SINK = { user: 'buzon.prueba@cjf.example.mx', password: 'bench' };
const requester = (i: number) => ({ user: `servidor.${i}@cjf.example.mx`, password: 'bench' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Uid of `mail`, the owner of every maildir in the stack. */
const MAIL_UID = 8;

function directory(): Directory {
  const hours = { start: '09:00', end: '18:00' };
  return {
    centres: [
      {
        id: 'CJPF-CDMX',
        name: 'CJPF Ciudad de México',
        state: 'Ciudad de México',
        timeZone: 'America/Mexico_City',
        businessHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
        nonWorkingDays: [],
      },
    ],
    providers: [],
    contracts: [],
    people: [
      { id: 'analista', name: 'Ana Analista', email: SINK.user, roles: ['analyst'], centreIds: [] },
      ...Array.from({ length: REQUESTERS }, (_, i) => ({
        id: `sp${i}`,
        name: `Servidor Público ${i}`,
        email: requester(i).user,
        roles: ['requester' as const],
        centreIds: ['CJPF-CDMX'],
      })),
    ],
  };
}

const ATTACHMENT = Buffer.from(Array.from({ length: 50 * 1024 }, (_, i) => (i * 31) % 251));

/** A realistic report: plain or HTML (Outlook-like), accents, a quoted signature, 1 in 5 with a 50 KB PDF. */
function reportMail(i: number): Buffer {
  const from = requester(i % REQUESTERS).user;
  const boundary = `b${i}`;
  const head = [
    `Return-Path: <${from}>`,
    `Received: from pc${i}.cjf.example.mx ([127.0.0.1]) by mx.cjf.example.mx with esmtp; Mon, 02 Mar 2026 10:00:00 -0600`,
    `From: "Servidor Público ${i % REQUESTERS}" <${from}>`,
    `To: ${DESK.user}`,
    `Subject: =?UTF-8?Q?Falla_n=C3=BAmero_${i}_en_la_impresora_de_la_sala?=`,
    `Message-ID: <bench-${i}@cjf.example.mx>`,
    'Date: Mon, 02 Mar 2026 10:00:00 -0600',
    'MIME-Version: 1.0',
  ];
  const text = `Buenos días:\r\nLa impresora de la sala ${i % 7} no imprime y marca error de tóner (equipo ${10000 + i}).\r\n\r\nSaludos,\r\n--\r\nServidor Público\r\nExt. ${1000 + (i % 900)}\r\n`;
  const html = `<html><body><p>Buenos días:</p><p>La impresora de la sala ${i % 7} <b>no imprime</b> y marca error de tóner (equipo ${10000 + i}).</p><p>Saludos,</p><div>--<br>Servidor Público</div></body></html>`;
  const body =
    i % 2 === 0
      ? [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text]
      : [`--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', html];
  if (i % 5 === 0) {
    body.push(
      `--${boundary}`,
      'Content-Type: application/pdf; name="diagnostico.pdf"',
      'Content-Disposition: attachment; filename="diagnostico.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ATTACHMENT.toString('base64').replace(/.{76}/g, '$&\r\n'),
    );
  }
  body.push(`--${boundary}--`, '');
  return Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...body].join('\r\n'));
}

async function imap(stack: MailStack, user: { user: string; password: string }): Promise<ImapFlow> {
  const client = new ImapFlow({
    ...stack.imap,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    auth: { user: user.user, pass: user.password },
  });
  // A session the server drops ends that session, not the bench: the counter opens another.
  client.on('error', (error: Error) => console.error(`imap ${user.user}: ${error.message}`));
  await client.connect();
  return client;
}

/** Ends an IMAP session; one the server already closed is simply dropped. */
async function leave(client: ImapFlow): Promise<void> {
  try {
    if (client.usable) await client.logout();
    else client.close();
  } catch {
    client.close();
  }
}

/** Counts messages in the desk's folders over a session opened again whenever the server dropped it. */
function mailboxCounter(stack: MailStack, user: { user: string; password: string }) {
  let client: ImapFlow | undefined;
  return {
    async count(folder: string): Promise<number> {
      if (!client?.usable) {
        client?.close();
        client = await imap(stack, user);
      }
      const status = await client.status(folder, { messages: true });
      return (status && status.messages) || 0;
    },
    close: async () => {
      if (client) await leave(client);
      client = undefined;
    },
  };
}

/** Pooled nodemailer → Exim until Exim has accepted every message: what any sender here can reach. */
async function rawSmtpRate(stack: MailStack): Promise<number> {
  const transport = nodemailer.createTransport({
    ...stack.smtp,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
  });
  const start = Date.now();
  try {
    await Promise.all(
      Array.from({ length: RAW }, (_, i) =>
        transport.sendMail({
          from: SINK.user,
          to: requester(i % REQUESTERS).user,
          subject: `[OS-2026-${String(i).padStart(6, '0')}] Reporte recibido`,
          text: 'Registramos su reporte.',
          html: '<p>Registramos su reporte.</p>',
        }),
      ),
    );
  } finally {
    transport.close();
  }
  return RAW / ((Date.now() - start) / 1000);
}

/**
 * Puts `count` report mails into the desk INBOX as Dovecot's own delivery would leave them:
 * Maildir files in `new/`, owned by `mail`, written before anyone signs in (Dovecot then reads
 * them all on the first sign-in, which this does, so they are indexed before the service
 * connects). Returns how many the INBOX holds.
 */
async function fillInbox(stack: MailStack, count: number): Promise<number> {
  const [local, domain] = DESK.user.split('@') as [string, string];
  let path = join(stack.dir, 'mail');
  for (const part of [domain, local, 'Maildir']) {
    path = join(path, part);
    await mkdir(path, { mode: 0o700 });
    await chown(path, MAIL_UID, MAIL_UID);
  }
  const maildir = path;
  for (const sub of ['new', 'cur', 'tmp']) {
    await mkdir(join(maildir, sub), { mode: 0o700 });
    await chown(join(maildir, sub), MAIL_UID, MAIL_UID);
  }
  const stamp = Math.floor(Date.now() / 1000) - 60;
  for (let i = 0; i < count; i++) {
    const mail = reportMail(i);
    const file = join(maildir, 'new', `${stamp}.M${i}P${process.pid}.bench,S=${mail.length}`);
    await writeFile(file, mail);
    await chown(file, MAIL_UID, MAIL_UID);
  }
  const desk = await imap(stack, DESK);
  try {
    const status = await desk.status('INBOX', { messages: true });
    return (status && status.messages) || 0;
  } finally {
    await leave(desk);
  }
}

/** Everything a run starts, stopped by PID in reverse order however the run ends; idempotent. */
class Teardown {
  private readonly steps: Array<() => Promise<unknown>> = [];
  private done?: Promise<void>;

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await step().catch((e: unknown) => console.error(e));
    })();
    return this.done;
  }
}

/** SIGTERM, and SIGKILL when the service has not exited within `ms`: the bench never leaves it running. */
async function stopWithin(service: ServiceProcess, ms: number): Promise<{ exitMs: number; code: number | null }> {
  const timer = setTimeout(() => {
    console.error(`bench:mail: the service did not exit ${ms / 1000} s after SIGTERM; killing it`);
    try {
      process.kill(service.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, ms);
  try {
    return await service.stop();
  } finally {
    clearTimeout(timer);
  }
}

const rows = (figure: string, value: string, target = '') =>
  console.log(`${figure.padEnd(66)}  ${value}${target ? `  [${target}]` : ''}`);

async function measureIntake(stack: MailStack, service: ServiceProcess, mark: string): Promise<boolean> {
  const desk = mailboxCounter(stack, DESK);
  try {
    const cpuStart = service.cpuMs();
    const commandsBefore = COUNT_COMMANDS ? await service.commands() : {};
    const start = Date.now();
    const deadline = start + 15 * 60_000;
    let filed = 0;
    while (Date.now() < deadline) {
      filed = (await desk.count('Procesados')) + (await desk.count('Cuarentena'));
      if (filed >= MAILS) break;
      await sleep(100);
    }
    const seconds = (Date.now() - start) / 1000;
    const cpuMs = service.cpuMs() - cpuStart;
    if (COUNT_COMMANDS) {
      const after = await service.commands();
      const perMail = Object.entries(after)
        .map(([k, n]) => [k, (n - (commandsBefore[k] ?? 0)) / MAILS] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]);
      console.log(
        `database commands per mail during intake: ${perMail.map(([k, n]) => `${k} ${n.toFixed(2)}`).join(', ')}`,
      );
    }
    if (filed < MAILS) {
      rows(`intake: INBOX → stored orders, filed${mark}`, `only ${filed} of ${MAILS} in 15 min`, 'FAILED');
      return false;
    }
    const held = await desk.count('Cuarentena');
    const rate = MAILS / seconds;
    rows(
      `intake: INBOX → stored orders, filed${mark}`,
      `${rate.toFixed(0)} mails/s (${MAILS} in ${seconds.toFixed(1)} s; ${held} held)`,
      `≥ 400 mails/s ${rate >= 400 ? 'met' : 'MISSED'}`,
    );
    rows(
      `intake: service CPU time per mail${mark}`,
      `${(cpuMs / MAILS).toFixed(2)} ms (${(cpuMs / 1000).toFixed(1)} s CPU)`,
    );
    return true;
  } finally {
    await desk.close();
  }
}

/** Waits until the outbox has settled every notice the intake caused; prints how many and how fast. */
async function measureNotices(service: ServiceProcess, started: number, raw: number, mark: string): Promise<void> {
  const client = await MongoClient.connect(service.engineUri);
  try {
    const db = client.db(DEFAULT_DATABASE);
    const orders = await db.collection('orders').countDocuments({});
    const notifications = db.collection<{ state: string }>('notifications');
    const deadline = Date.now() + 10 * 60_000;
    let open = 0;
    while (Date.now() < deadline) {
      open = await notifications.countDocuments({ state: { $in: ['pending', 'claimed'] }, held: { $ne: true } });
      if (open === 0) break;
      await sleep(250);
    }
    const seconds = (Date.now() - started) / 1000;
    const sent = await notifications.countDocuments({ state: 'sent' });
    const failed = await notifications.countDocuments({ state: 'failed' });
    const rate = sent / seconds;
    rows('orders stored', String(orders));
    rows(
      `notices sent by SMTP, from the service's start${mark}`,
      open === 0
        ? `${rate.toFixed(0)} mails/s (${sent} sent, ${failed} failed, in ${seconds.toFixed(1)} s)`
        : `${open} still waiting after 10 min (${sent} sent, ${failed} failed)`,
      `${((rate / raw) * 100).toFixed(0)} % of raw`,
    );
  } finally {
    await client.close();
  }
}

async function main(): Promise<number> {
  const machine = requireIdleMachine('bench:mail');
  const mark = machine.forced ? ' FORCED' : '';
  const teardown = new Teardown();
  const stopOn = (signal: NodeJS.Signals, code: number) =>
    process.once(signal, () => {
      console.error(`bench:mail: ${signal}, stopping the service and the mail servers`);
      void teardown.run().finally(() => process.exit(code));
    });
  stopOn('SIGINT', 130);
  stopOn('SIGTERM', 143);
  try {
    const users = [DESK, SINK, ...Array.from({ length: REQUESTERS }, (_, i) => requester(i))];
    // Exim accepts and queues: what it would send on is not the service's work.
    const stack = await startMailStack({ users, delivery: 'queue' });
    teardown.add(() => stack.stop());
    const dir = await mkdtemp(join(tmpdir(), 'bench-mail-'));
    teardown.add(() => rm(dir, { recursive: true, force: true }));

    const raw = await rawSmtpRate(stack);
    rows('raw nodemailer → Exim (accepted)', `${raw.toFixed(0)} mails/s (${RAW})`, 'ceiling');
    const fillStart = Date.now();
    const inbox = await fillInbox(stack, MAILS);
    if (inbox !== MAILS) throw new Error(`the desk INBOX holds ${inbox} mails, not ${MAILS}`);
    rows('fill INBOX as Maildir files (setup)', `${(MAILS / ((Date.now() - fillStart) / 1000)).toFixed(0)} mails/s`);

    await writeFile(join(dir, 'directory.json'), JSON.stringify(directory()));
    console.log(`service starting, ${loadLine()}`);
    const service = await startServiceProcess({
      dataDir: join(dir, 'data'),
      env: {
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
        MAIL_ALLOWED_DOMAINS: 'cjf.example.mx',
        MAIL_MAX_PER_SENDER_HOUR: '1000000',
        NOTIFY_DIGEST_SECONDS: '0',
      },
      countCommands: COUNT_COMMANDS,
      nodeArgs: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [],
    });
    let stopped: { exitMs: number; code: number | null } | undefined;
    teardown.add(async () => {
      stopped ??= await stopWithin(service, 30_000);
    });
    rows('service start (spawn to listening)', `${(service.startMs / 1000).toFixed(2)} s`);
    const started = Date.now();
    const complete = await measureIntake(stack, service, mark);
    console.log(`${loadLine()} at the end of intake`);
    if (complete) await measureNotices(service, started, raw, mark);
    console.log(`${loadLine()} at the end`);
    stopped = await stopWithin(service, 30_000);
    rows('service SIGTERM to exit', `${(stopped.exitMs / 1000).toFixed(2)} s, exit code ${stopped.code}`);
    return complete && stopped.code === 0 ? 0 : 1;
  } finally {
    await teardown.run();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
