import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../services/config';
import { RunningService, startService } from '../../services';
import { MailStack, startMailStack } from '../support/mail-stack';
import {
  ALL_USERS,
  DESK,
  DIRECTORY,
  folderCounts,
  mailsIn,
  REQUESTER,
  sendMail,
  silent,
  waitFor,
} from './support/harness';

describe('service wiring of mail', () => {
  let stack: MailStack;
  let dir: string;
  let service: RunningService;

  beforeAll(async () => {
    stack = await startMailStack({
      users: ALL_USERS,
      domains: ['cjf.example.mx', 'proveedor.example.com', 'externo.example.org'],
    });
    dir = await mkdtemp(join(tmpdir(), 'mail-wiring-'));
    await writeFile(join(dir, 'directory.json'), JSON.stringify(DIRECTORY));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: join(dir, 'data'),
      DIRECTORY_FILE: join(dir, 'directory.json'),
      LOG_LEVEL: 'silent',
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
    });
    service = await startService(config, silent);
  });
  afterAll(async () => {
    await service?.stop();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the desk mailbox, acknowledges by email and reports import health in /healthz', async () => {
    await sendMail(stack, {
      from: REQUESTER.user,
      to: DESK.user,
      subject: 'No enciende el monitor',
      text: 'El monitor no enciende.',
      messageId: '<wired-1@cjf.example.mx>',
    });
    await waitFor('processed', async () => (await folderCounts(stack)).Procesados === 1, 30000);
    const ack = await waitFor(
      'acknowledgement',
      async () => {
        const [mail] = await mailsIn(stack, REQUESTER);
        return mail;
      },
      30000,
    );
    expect(ack.toString('utf8')).toMatch(/Subject: \[OS-\d{4}-\d{6}\] Reporte recibido/);
    const health = await (await fetch(`http://127.0.0.1:${service.port}/healthz`)).json();
    expect(health).toMatchObject({
      status: 'ok',
      mail: 'connected',
      mailIntake: { processed: 1, refused: 0, quarantined: 0 },
    });
  });
});
