/**
 * Mail figures on this machine, against a real Dovecot + Exim on loopback (`npm run bench:mail`,
 * `-- --force` on a busy machine; needs root and the mail stack packages):
 *  1. raw nodemailer (pool) → Exim → Dovecot delivery rate, the ceiling for any mail we send;
 *  2. intake: N realistic mails (plain and HTML, 20 % with a 50 KB attachment) already in the
 *     desk INBOX when the service starts → time until every one is a stored order and moved;
 *  3. acknowledgements: the receipts the service sends for those orders by SMTP, time until
 *     all are delivered, compared with the raw rate.
 * The service is `npm start`'s program in its own process (embedded engine, IMAP and SMTP
 * pointed at the stack, each notice on its own); this script only fills the mailbox and
 * counts. BENCH_MAILS (default 5000) and BENCH_RAW (default 1000) change the sizes. A script
 * that prints figures, not a timed test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Directory } from '../services/directory/schema';
import { MailStack, startMailStack } from '../test/support/mail-stack';
import { loadLine, requireIdleMachine } from './support/machine';
import { startServiceProcess } from './support/service-process';

const MAILS = Number(process.env.BENCH_MAILS ?? 5000);
const RAW = Number(process.env.BENCH_RAW ?? 1000);
const REQUESTERS = 20;
const DESK = { user: 'escritorio@cjf.example.mx', password: 'bench' };
const SINK = { user: 'buzon.prueba@cjf.example.mx', password: 'bench' };
const requester = (i: number) => ({ user: `servidor.${i}@cjf.example.mx`, password: 'bench' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  // An idle connection may time out while another phase runs; that ends it, not the bench.
  client.on('error', (error: Error) => console.error(`imap ${user.user}: ${error.message}`));
  await client.connect();
  return client;
}

/** Ends an IMAP session; one the server already closed while idle is simply dropped. */
async function leave(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

/**
 * Counts messages in one person's folders over a session of its own, opened again when the
 * server has dropped the previous one (idle sessions time out while the service works).
 */
function mailboxCounter(stack: MailStack, user: { user: string; password: string }) {
  let client: ImapFlow | undefined;
  return {
    async count(folder = 'INBOX'): Promise<number> {
      if (!client?.usable) {
        client?.close();
        client = await imap(stack, user);
      }
      return countIn(client, folder);
    },
    close: async () => {
      if (client) await leave(client);
    },
  };
}

async function countIn(client: ImapFlow, folder = 'INBOX'): Promise<number> {
  const status = await client.status(folder, { messages: true });
  return (status && status.messages) || 0;
}

async function rawSmtpRate(stack: MailStack): Promise<number> {
  const transport = nodemailer.createTransport({
    ...stack.smtp,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
  });
  const sink = await imap(stack, SINK);
  const before = await countIn(sink);
  const start = Date.now();
  await Promise.all(
    Array.from({ length: RAW }, (_, i) =>
      transport.sendMail({
        from: DESK.user,
        to: SINK.user,
        subject: `[OS-2026-${String(i).padStart(6, '0')}] Reporte recibido`,
        text: 'Registramos su reporte.',
        html: '<p>Registramos su reporte.</p>',
      }),
    ),
  );
  while ((await countIn(sink)) < before + RAW) await sleep(50);
  const seconds = (Date.now() - start) / 1000;
  transport.close();
  await leave(sink);
  return RAW / seconds;
}

async function main(): Promise<void> {
  const machine = requireIdleMachine('bench:mail');
  const mark = machine.forced ? ' FORCED' : '';
  const users = [DESK, SINK, ...Array.from({ length: REQUESTERS }, (_, i) => requester(i))];
  const stack = await startMailStack({ users });
  const dir = await mkdtemp(join(tmpdir(), 'bench-mail-'));
  const rows = (figure: string, value: string, target = '') =>
    console.log(`${figure.padEnd(66)}  ${value}${target ? `  [${target}]` : ''}`);
  const clients: ImapFlow[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    const raw = await rawSmtpRate(stack);
    rows('raw nodemailer → Exim → Dovecot', `${raw.toFixed(0)} mails/s (${RAW})`, 'ceiling');

    const desk = await imap(stack, DESK);
    clients.push(desk);
    const fillStart = Date.now();
    for (let i = 0; i < MAILS; i++) await desk.append('INBOX', reportMail(i));
    rows('fill INBOX by APPEND (setup)', `${(MAILS / ((Date.now() - fillStart) / 1000)).toFixed(0)} mails/s`);
    const counters = Array.from({ length: REQUESTERS }, (_, i) => mailboxCounter(stack, requester(i)));
    const deskCounter = mailboxCounter(stack, DESK);
    closers.push(...counters.map((c) => c.close), deskCounter.close);
    const delivered = async () => (await Promise.all(counters.map((c) => c.count()))).reduce((a, b) => a + b, 0);

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
    });
    let stopped: { exitMs: number; code: number | null } | undefined;
    try {
      const start = Date.now();
      let intakeSeconds = 0;
      let ackSeconds = 0;
      const deadline = start + 30 * 60_000;
      while ((!intakeSeconds || !ackSeconds) && Date.now() < deadline) {
        if (
          !intakeSeconds &&
          (await deskCounter.count('Procesados')) + (await deskCounter.count('Cuarentena')) >= MAILS
        )
          intakeSeconds = (Date.now() - start) / 1000;
        if (!ackSeconds && (await delivered()) >= MAILS) ackSeconds = (Date.now() - start) / 1000;
        await sleep(100);
      }
      const held = await deskCounter.count('Cuarentena');
      const intakeRate = MAILS / intakeSeconds;
      rows(
        `intake: INBOX → stored orders, moved${mark}`,
        `${intakeRate.toFixed(0)} mails/s (${MAILS} in ${intakeSeconds.toFixed(1)} s; ${held} held)`,
        `≥ 400 mails/s ${intakeRate >= 400 ? 'met' : 'MISSED'}`,
      );
      const ackRate = ackSeconds ? (await delivered()) / ackSeconds : 0;
      rows(
        `acknowledgements delivered, from the service's start${mark}`,
        ackSeconds
          ? `${ackRate.toFixed(0)} mails/s (${MAILS} in ${ackSeconds.toFixed(1)} s)`
          : `only ${await delivered()} of ${MAILS} in 30 min`,
        `≥ 90 % of raw: ${((ackRate / raw) * 100).toFixed(0)} % ${ackRate >= 0.9 * raw ? 'met' : 'MISSED'}`,
      );
      console.log(`${loadLine()} at the end`);
    } finally {
      stopped = await service.stop();
    }
    rows('service SIGTERM to exit', `${(stopped.exitMs / 1000).toFixed(2)} s, exit code ${stopped.code}`);
  } finally {
    await Promise.all([...clients.map(leave), ...closers.map((c) => c())]);
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
