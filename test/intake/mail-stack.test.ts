import { ImapFlow } from 'imapflow';
import nodemailer, { SendMailOptions } from 'nodemailer';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { MailStack, MailUser, startMailStack } from '../support/mail-stack';
import { first } from '../support/present';

const desk: MailUser = { user: 'escritorio@cjf.example.mx', password: 'clave:con ñ y "comillas"' };
const engineer: MailUser = { user: 'ingeniero@cjf.example.mx', password: 'otra-clave' };
const provider: MailUser = { user: 'soporte@proveedor.example.com', password: 'prov' };

const subject = 'Falla en la impresión — Sala de audiencias número 3 (acción urgente)';
const body = 'Buenos días:\nLa impresora de la sala no enciende.\nGracias, José Peña\n';
const attachment = Buffer.concat([
  Buffer.from('%PDF-1.4\n'),
  Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256)),
]);

function imapClient(stack: MailStack, user: MailUser, password = user.password): ImapFlow {
  return new ImapFlow({
    ...stack.imap,
    secure: false,
    doSTARTTLS: false,
    logger: false,
    auth: { user: user.user, pass: password },
  });
}

async function sendMail(stack: MailStack, message: SendMailOptions, auth?: MailUser) {
  const transport = nodemailer.createTransport({
    ...stack.smtp,
    secure: false,
    ignoreTLS: true,
    ...(auth ? { auth: { user: auth.user, pass: auth.password } } : {}),
  });
  try {
    return await transport.sendMail(message);
  } finally {
    transport.close();
  }
}

async function inboxCount(client: ImapFlow): Promise<number> {
  const status = await client.status('INBOX', { messages: true });
  if (!status) throw new Error('STATUS INBOX failed');
  return status.messages ?? 0;
}

/** Delivery is asynchronous: polls the INBOX until it holds `count` messages. */
async function waitForInbox(client: ImapFlow, count: number, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await inboxCount(client);
    if (messages >= count) return;
    if (Date.now() > deadline) throw new Error(`INBOX has ${messages} messages, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function download(client: ImapFlow, uid: number, part: string): Promise<Buffer> {
  const result = await client.download(String(uid), part, { uid: true });
  if (!result.content) throw new Error(`part ${part} of ${uid} not found`);
  const chunks: Buffer[] = [];
  for await (const chunk of result.content) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function withClient<T>(stack: MailStack, user: MailUser, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = imapClient(stack, user);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('mail stack', () => {
  let stack: MailStack;
  let startMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    stack = await startMailStack({ users: [desk, engineer, provider] });
    startMs = Date.now() - started;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('starts within a few seconds on loopback ports', () => {
    expect(startMs).toBeLessThan(5000);
    for (const endpoint of [stack.imap, stack.smtp, stack.lmtp]) expect(endpoint.host).toBe('127.0.0.1');
    expect(new Set([stack.imap.port, stack.smtp.port, stack.lmtp.port]).size).toBe(3);
  });

  it('delivers one mail to two users with the accented subject, text and attachment intact', async () => {
    const info = await sendMail(stack, {
      from: 'José Peña <jose.pena@cjf.example.mx>',
      to: [desk.user, engineer.user],
      subject,
      text: body,
      attachments: [{ filename: 'diagnóstico.pdf', content: attachment, contentType: 'application/pdf' }],
    });
    expect(info.accepted).toEqual([desk.user, engineer.user]);

    for (const user of [desk, engineer]) {
      await withClient(stack, user, async (client) => {
        await waitForInbox(client, 1);
        const lock = await client.getMailboxLock('INBOX');
        try {
          const message = await client.fetchOne(
            '*',
            { uid: true, envelope: true, bodyStructure: true },
            { uid: false },
          );
          if (!message) throw new Error('no message');
          expect(message.envelope?.subject).toBe(subject);
          expect(message.envelope?.messageId).toBe(info.messageId);
          const parts = message.bodyStructure?.childNodes ?? [];
          const text = parts.find((p) => p.type === 'text/plain');
          const file = parts.find((p) => p.disposition === 'attachment');
          expect(file?.dispositionParameters?.filename ?? file?.parameters?.name).toBe('diagnóstico.pdf');
          const textContent = (await download(client, message.uid, text!.part!)).toString('utf8');
          expect(textContent.replace(/\r\n/g, '\n')).toBe(body);
          expect((await download(client, message.uid, file!.part!)).equals(attachment)).toBe(true);
        } finally {
          lock.release();
        }
      });
    }
  });

  it('gives every mailbox the folders the poller needs, subscribed', async () => {
    await withClient(stack, provider, async (client) => {
      const list = await client.list();
      const names = list.map((m) => m.path).sort();
      expect(names).toEqual(['Cuarentena', 'INBOX', 'Procesados', 'Rechazados']);
      expect(
        list
          .filter((m) => m.subscribed)
          .map((m) => m.path)
          .sort(),
      ).toEqual(names);
    });
  });

  it('refuses a wrong password over IMAP and over SMTP AUTH, and accepts the right one', async () => {
    const client = imapClient(stack, desk, 'wrong');
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();

    const message = { from: desk.user, to: engineer.user, subject: 'auth', text: 'x' };
    await expect(sendMail(stack, message, { ...desk, password: 'wrong' })).rejects.toMatchObject({ code: 'EAUTH' });
    await expect(sendMail(stack, message, desk)).resolves.toMatchObject({ accepted: [engineer.user] });
  });

  it('refuses recipients outside its users and domains, without looking anything up', async () => {
    const base = { from: desk.user, subject: 'x', text: 'x' };
    await expect(sendMail(stack, { ...base, to: 'nadie@cjf.example.mx' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(sendMail(stack, { ...base, to: 'alguien@gmail.com' })).rejects.toMatchObject({ responseCode: 550 });
  });

  it('keeps mail sent while IMAP is down and delivers it after restartImap', async () => {
    const before = await withClient(stack, provider, inboxCount);
    const restarted = stack.restartImap({ downMs: 500 });
    await sendMail(stack, { from: desk.user, to: provider.user, subject: 'durante el reinicio', text: 'x' });
    await restarted;
    await withClient(stack, provider, (client) => waitForInbox(client, before + 1, 20000));
  });

  it('runs beside a second stack with its own ports, users and mail', async () => {
    const other = await startMailStack({
      users: [{ user: 'escritorio@cjf.example.mx', password: 'segunda' }],
      domains: ['cjf.example.mx', 'otro.example.mx'],
    });
    try {
      expect([other.imap.port, other.smtp.port]).not.toContain(stack.imap.port);
      expect(other.dir).not.toBe(stack.dir);
      await sendMail(other, { from: engineer.user, to: desk.user, subject: 'solo en la segunda', text: 'x' });
      await withClient(other, first(other.users), async (client) => {
        await waitForInbox(client, 1);
        const lock = await client.getMailboxLock('INBOX');
        try {
          const message = await client.fetchOne('*', { envelope: true });
          expect(message && message.envelope?.subject).toBe('solo en la segunda');
        } finally {
          lock.release();
        }
      });
      // The first stack still answers and never saw that mail.
      await withClient(stack, desk, async (client) => {
        expect(await inboxCount(client)).toBe(1);
      });
    } finally {
      await other.stop();
    }
    expect(existsSync(other.dir)).toBe(false);
    await expect(reachable(other.imap.port)).resolves.toBe(false);
  });
});

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
