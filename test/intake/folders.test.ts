import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../services/config';
import { RunningService, startService } from '../../services';
import { MailStack, startMailStack } from '../support/mail-stack';
import { ALL_USERS, DESK, DIRECTORY, REQUESTER, sendMail, silent, waitFor, withImap } from './support/harness';

const FOLDERS = {
  MAIL_FOLDER_PROCESSED: 'Atendidos',
  MAIL_FOLDER_QUARANTINE: 'Retenidos',
  MAIL_FOLDER_REFUSED: 'Ajenos',
};

/** Message counts of the folders that exist in the desk mailbox (a missing folder is absent). */
async function folders(stack: MailStack): Promise<Record<string, number>> {
  return withImap(stack, DESK, async (c) => {
    const out: Record<string, number> = {};
    for (const box of await c.list())
      out[box.path] = ((await c.status(box.path, { messages: true })) || { messages: 0 }).messages ?? 0;
    return out;
  });
}

async function health(
  service: RunningService,
): Promise<{ status: string; mail: string; mailIntake: { duplicates: number; filingError?: string } }> {
  return (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json() as never;
}

describe('desk folders on a mailbox that has none', () => {
  let stack: MailStack;
  let dir: string;
  const services: RunningService[] = [];

  async function start(extra: Record<string, string> = {}): Promise<RunningService> {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, `data-${services.length}`),
      DIRECTORY_FILE: join(dir, 'directory.json'),
      LOG_LEVEL: 'silent',
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(stack.imap.port),
      IMAP_SECURE: 'false',
      IMAP_USER: DESK.user,
      IMAP_PASSWORD: DESK.password,
      MAIL_AUTHSERV_ID: 'mx.cjf.example.mx',
      MAIL_LEASE_SECONDS: '2',
      ...FOLDERS,
      ...extra,
    });
    const service = await startService(config, silent);
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    // As a real mailbox (Exchange Online included) starts: the INBOX and nothing of ours.
    stack = await startMailStack({
      users: ALL_USERS,
      domains: ['cjf.example.mx', 'proveedor.example.com', 'externo.example.org'],
      deskFolders: false,
    });
    dir = await mkdtemp(join(tmpdir(), 'mail-folders-'));
    await writeFile(join(dir, 'directory.json'), JSON.stringify(DIRECTORY));
  });
  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => undefined);
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the configured folders at start, files into them, and creates one again when it goes missing', async () => {
    expect(Object.keys(await folders(stack))).toEqual(['INBOX']);
    const service = await start();
    try {
      await sendMail(stack, {
        from: REQUESTER.user,
        to: DESK.user,
        subject: 'No enciende el monitor',
        text: 'El monitor no enciende.',
        messageId: '<f-1@cjf.example.mx>',
      });
      await waitFor('filed in Atendidos', async () => (await folders(stack)).Atendidos === 1, 30000);
      expect(await folders(stack)).toEqual({ INBOX: 0, Atendidos: 1, Retenidos: 0, Ajenos: 0 });
      expect(await health(service)).toMatchObject({ status: 'ok', mail: 'connected' });

      // Someone deletes a folder while the service runs: the refused MOVE makes it look again.
      await withImap(stack, DESK, (c) => c.mailboxDelete('Atendidos'));
      await sendMail(stack, {
        from: REQUESTER.user,
        to: DESK.user,
        subject: 'Tampoco imprime',
        text: 'La impresora no imprime.',
        messageId: '<f-2@cjf.example.mx>',
      });
      await waitFor('filed in a new Atendidos', async () => (await folders(stack)).Atendidos === 1, 30000);
      expect(await folders(stack)).toMatchObject({ INBOX: 0, Atendidos: 1 });
      expect(await health(service)).toMatchObject({
        status: 'ok',
        mail: 'connected',
        mailIntake: { processed: 2, duplicates: 0 },
      });
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('reports a mailbox it cannot file in as unhealthy, keeps the mail in the INBOX, and does not spin on it', async () => {
    // Dovecot refuses to create a folder whose name begins with '~'.
    const service = await start({ MAIL_FOLDER_PROCESSED: '~Atendidos' });
    try {
      await sendMail(stack, {
        from: REQUESTER.user,
        to: DESK.user,
        subject: 'Falla el teclado',
        text: 'El teclado no responde.',
        messageId: '<f-3@cjf.example.mx>',
      });
      const seen = await waitFor(
        'cannot_file in /healthz',
        async () => {
          const h = await health(service);
          return h.mail === 'cannot_file' && h;
        },
        30000,
      );
      expect(seen).toMatchObject({
        status: 'degraded',
        mail: 'cannot_file',
        mailIntake: { filingError: expect.stringMatching(/~Atendidos/) },
      });
      await waitFor('the mail arrived', async () => (await folders(stack)).INBOX === 1, 30000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await folders(stack)).toMatchObject({ INBOX: 1 });
      // Backing off, not re-reading the INBOX in a tight loop.
      expect((await health(service)).mailIntake.duplicates).toBeLessThan(5);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
