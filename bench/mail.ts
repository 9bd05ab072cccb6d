/**
 * Mail figures on this machine, against a real Dovecot + Exim on loopback (`npm run bench:mail`):
 *  1. raw nodemailer (pool) → Exim → Dovecot delivery rate, the ceiling for any mail we send;
 *  2. intake: N realistic mails (plain and HTML, 20 % with a 50 KB attachment) already in the
 *     desk INBOX → time until every one is a stored order (outcome in mail_log) and moved;
 *  3. acknowledgements: the outbox's email channel sending the notices those orders owe,
 *     time until all are delivered, compared with the raw rate.
 * The engine runs as its own process, as a database server would (bench/engine-process.ts).
 * BENCH_MAILS (default 5000) and BENCH_RAW (default 1000) change the sizes. A script that
 * prints figures, not a timed test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { MongoClient } from 'mongodb';
import { CachedDirectory } from '../services/directory/cached-directory';
import { MongoDirectoryStore } from '../services/directory/directory-store';
import type { Directory } from '../services/directory/schema';
import { MongoOrderStore } from '../services/orders/order-store';
import { OutboxDispatcher, OutboxRelay } from '../services/outbox';
import { EmailChannel } from '../services/mail/email-channel';
import { SmtpMailSender } from '../services/mail/mail-sender';
import { createAuthenticator, DEFAULT_RULES, ImapMailSource, IntakeStore, MailPoller } from '../intake';
import { MailStack, startMailStack } from '../test/support/mail-stack';
import { startEngineProcess } from './engine-process';

const MAILS = Number(process.env.BENCH_MAILS ?? 5000);
const RAW = Number(process.env.BENCH_RAW ?? 1000);
const REQUESTERS = 20;
const DESK = { user: 'escritorio@cjf.example.mx', password: 'bench' };
const SINK = { user: 'buzon.prueba@cjf.example.mx', password: 'bench' };
const requester = (i: number) => ({ user: `servidor.${i}@cjf.example.mx`, password: 'bench' });
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function directory(): Directory {
  const hours = { start: '09:00', end: '18:00' };
  return {
    centres: [{ id: 'CJPF-CDMX', name: 'CJPF Ciudad de México', state: 'Ciudad de México', timeZone: 'America/Mexico_City', businessHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours }, nonWorkingDays: [] }],
    providers: [], contracts: [],
    people: [
      { id: 'analista', name: 'Ana Analista', email: SINK.user, roles: ['analyst'], centreIds: [] },
      ...Array.from({ length: REQUESTERS }, (_, i) => ({ id: `sp${i}`, name: `Servidor Público ${i}`, email: requester(i).user, roles: ['requester' as const], centreIds: ['CJPF-CDMX'] })),
    ],
  };
}

const ATTACHMENT = Buffer.from(Array.from({ length: 50 * 1024 }, (_, i) => (i * 31) % 251));

/** A realistic report: plain or HTML (Outlook-like), accents, a quoted signature, 1 in 5 with a 50 KB PDF. */
function reportMail(i: number): Buffer {
  const from = requester(i % REQUESTERS).user;
  const boundary = `b${i}`;
  const head = [
    `Return-Path: <${from}>`, `Received: from pc${i}.cjf.example.mx ([127.0.0.1]) by mx.cjf.example.mx with esmtp; Mon, 02 Mar 2026 10:00:00 -0600`,
    `From: "Servidor Público ${i % REQUESTERS}" <${from}>`, `To: ${DESK.user}`, `Subject: =?UTF-8?Q?Falla_n=C3=BAmero_${i}_en_la_impresora_de_la_sala?=`,
    `Message-ID: <bench-${i}@cjf.example.mx>`, 'Date: Mon, 02 Mar 2026 10:00:00 -0600', 'MIME-Version: 1.0',
  ];
  const text = `Buenos días:\r\nLa impresora de la sala ${i % 7} no imprime y marca error de tóner (equipo ${10000 + i}).\r\n\r\nSaludos,\r\n--\r\nServidor Público\r\nExt. ${1000 + (i % 900)}\r\n`;
  const html = `<html><body><p>Buenos días:</p><p>La impresora de la sala ${i % 7} <b>no imprime</b> y marca error de tóner (equipo ${10000 + i}).</p><p>Saludos,</p><div>--<br>Servidor Público</div></body></html>`;
  const body = i % 2 === 0
    ? [`--${boundary}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text]
    : [`--${boundary}`, 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', html];
  if (i % 5 === 0) {
    body.push(`--${boundary}`, 'Content-Type: application/pdf; name="diagnostico.pdf"', 'Content-Disposition: attachment; filename="diagnostico.pdf"', 'Content-Transfer-Encoding: base64', '',
      ATTACHMENT.toString('base64').replace(/.{76}/g, '$&\r\n'));
  }
  body.push(`--${boundary}--`, '');
  return Buffer.from([...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', ...body].join('\r\n'));
}

/**
 * One mailbox watched across the bench's phases. The server may drop a connection that sits
 * idle while another phase runs (or that starves on a busy machine): the next use opens a
 * new one, and closing a connection that is already gone is not a failure.
 */
class Mailbox {
  private client?: ImapFlow;

  constructor(private readonly stack: MailStack, private readonly user: { user: string; password: string }) {}

  private async connected(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    this.client?.close();
    const client = new ImapFlow({ ...this.stack.imap, secure: false, doSTARTTLS: false, logger: false, auth: { user: this.user.user, pass: this.user.password } });
    client.on('error', () => undefined); // a drop shows as !usable; the next use reconnects
    await client.connect();
    this.client = client;
    return client;
  }

  /** Messages in `folder`; one reconnect when the connection drops under the command. */
  async count(folder = 'INBOX'): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const status = await (await this.connected()).status(folder, { messages: true });
        return (status && status.messages) || 0;
      } catch (error) {
        if (attempt > 0 || this.client?.usable) throw error;
      }
    }
  }

  async append(folder: string, source: Buffer): Promise<void> {
    await (await this.connected()).append(folder, source);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (!client.usable) {
      client.close();
      return;
    }
    await client.logout().catch(() => client.close());
  }
}

async function rawSmtpRate(stack: MailStack): Promise<number> {
  const transport = nodemailer.createTransport({ ...stack.smtp, secure: false, ignoreTLS: true, pool: true, maxConnections: 4 });
  const sink = new Mailbox(stack, SINK);
  const before = await sink.count();
  const start = Date.now();
  await Promise.all(Array.from({ length: RAW }, (_, i) => transport.sendMail({
    from: DESK.user, to: SINK.user, subject: `[OS-2026-${String(i).padStart(6, '0')}] Reporte recibido`, text: 'Registramos su reporte.', html: '<p>Registramos su reporte.</p>',
  })));
  while ((await sink.count()) < before + RAW) await sleep(50);
  const seconds = (Date.now() - start) / 1000;
  transport.close();
  await sink.close();
  return RAW / seconds;
}

async function main(): Promise<void> {
  const users = [DESK, SINK, ...Array.from({ length: REQUESTERS }, (_, i) => requester(i))];
  const stack = await startMailStack({ users });
  const dbPath = await mkdtemp(join(tmpdir(), 'bench-mail-'));
  const engine = await startEngineProcess(join(dbPath, 'db'));
  const client = await MongoClient.connect(engine.uri);
  console.log(`mail bench — ${new Date().toISOString()}, ${MAILS} mails, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const rows = {
    push([figure, value, target]: [string, string, string]) {
      console.log(`${figure.padEnd(66)}  ${value}${target ? `  [${target}]` : ''}`);
    },
  };
  try {
    const db = client.db('bench');
    const orders = new MongoOrderStore(db);
    await orders.ensureIndexes();
    const dir = new MongoDirectoryStore(client, db);
    await dir.ensureIndexes();
    await dir.replaceAll(directory());
    const store = new IntakeStore(db);
    await store.ensureIndexes();

    const raw = await rawSmtpRate(stack);
    rows.push(['raw nodemailer → Exim → Dovecot', `${raw.toFixed(0)} mails/s (${RAW})`, 'ceiling']);

    const desk = new Mailbox(stack, DESK);
    const fillStart = Date.now();
    for (let i = 0; i < MAILS; i++) await desk.append('INBOX', reportMail(i));
    rows.push(['fill INBOX by APPEND (setup)', `${(MAILS / ((Date.now() - fillStart) / 1000)).toFixed(0)} mails/s`, '']);

    const poller = new MailPoller({
      deps: {
        orders, directory: new CachedDirectory(dir), policy: { onsiteRequiresValidation: false }, analystRouting: 'all', store, auth: createAuthenticator({ mode: 'received', authservId: 'mx.cjf.example.mx' }),
        rules: { ...DEFAULT_RULES, timeZone: 'America/Mexico_City', ownAddresses: [DESK.user], allowedDomains: ['cjf.example.mx'], maxPerSenderPerHour: 1_000_000 },
      },
      source: () => new ImapMailSource({ ...stack.imap, secure: false, doSTARTTLS: false, user: DESK.user, password: DESK.password, logger: log }),
      mailbox: 'INBOX', account: DESK.user, folders: { processed: 'Procesados', quarantine: 'Cuarentena', refused: 'Rechazados' }, logger: log,
      pollMs: 100,
    });
    const intakeStart = Date.now();
    poller.start();
    while ((await desk.count('Procesados')) + (await desk.count('Cuarentena')) < MAILS) await sleep(100);
    const intakeSeconds = (Date.now() - intakeStart) / 1000;
    await poller.stop();
    const stats = poller.stats();
    const intakeRate = MAILS / intakeSeconds;
    rows.push(['intake: INBOX → stored orders, moved', `${intakeRate.toFixed(0)} mails/s (${MAILS} in ${intakeSeconds.toFixed(1)} s; ${stats.processed} orders, ${stats.quarantined} held)`, `≥ 400 mails/s ${intakeRate >= 400 ? 'PASS' : 'MISS'}`]);

    // Engine gap: compacting a database holding more than ~16 MB in one collection fails
    // ("offset is out of bounds"); the stored attachments are dropped before the next phase.
    const attachmentBytes = (await db.collection('attachments.files').aggregate([{ $group: { _id: null, n: { $sum: '$length' } } }]).toArray())[0]?.n ?? 0;
    rows.push(['attachments stored in GridFS during intake', `${(attachmentBytes / 1048576).toFixed(1)} MB (dropped before the next phase)`, '']);
    await db.collection('attachments.chunks').drop();
    const sender = new SmtpMailSender({ ...stack.smtp, secure: false, ignoreTLS: true, from: DESK.user, maxConnections: 4 });
    const email = new EmailChannel({ sender, directory: new CachedDirectory(dir), refs: store });
    // Acknowledgements only: the analyst's new-order notices are left unsent here.
    const channel = { name: email.name, canReach: (r: { role: string }) => r.role === 'requester', send: email.send.bind(email) };
    const relay = new OutboxRelay({ db, logger: log });
    while ((await relay.relayOnce()) > 0);
    // The figure is about acknowledgements: the analysts' notices leave the queue rather than
    // being claimed and failed in the same run.
    await db.collection('notifications').deleteMany({ event: { $ne: 'order_reported' } });
    const notices = await db.collection('notifications').countDocuments({ event: 'order_reported' });
    // One dispatcher with the service's default NOTIFY_CONCURRENCY, as one instance runs it.
    const dispatcher = new OutboxDispatcher({ db, logger: log, channels: [channel], concurrency: 8 });
    const ackStart = Date.now();
    const notifications = db.collection('notifications');
    // Until every acknowledgement is out; one refused by the server is retried after its backoff.
    while ((await notifications.countDocuments({ state: { $in: ['pending', 'claimed'] } })) > 0) {
      if ((await dispatcher.dispatchOnce(500)) === 0) await sleep(200);
    }
    const retried = await notifications.countDocuments({ attempts: { $gt: 1 } });
    const clients = Array.from({ length: REQUESTERS }, (_, i) => new Mailbox(stack, requester(i)));
    const delivered = async () => (await Promise.all(clients.map((c) => c.count()))).reduce((a, b) => a + b, 0);
    while ((await delivered()) < notices) await sleep(100);
    const ackRate = notices / ((Date.now() - ackStart) / 1000);
    await Promise.all(clients.map((c) => c.close()));
    await sender.close();
    rows.push(['acknowledgements via the email channel (outbox → SMTP → delivered)', `${ackRate.toFixed(0)} mails/s (${notices})`, `≥ 90 % of raw: ${((ackRate / raw) * 100).toFixed(0)} % ${ackRate >= 0.9 * raw ? 'PASS' : 'MISS'}${retried ? `; ${retried} retried` : ''}`]);
    await desk.close();
  } finally {
    await client.close();
    await engine.stop();
    await stack.stop();
    await rm(dbPath, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
