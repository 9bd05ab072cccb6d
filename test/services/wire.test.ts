import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../services/config';
import type { Directory } from '../../services/directory/schema';
import type { ServiceOrder } from '../../services/orders/types';
import type { NotificationDoc } from '../../services/outbox';
import { RunningService, startIntakeOnly, startService } from '../../services';
import { MailStack, startMailStack } from '../support/mail-stack';
import { openTestDatabase, TestDatabase } from '../support/mongo';
import { ALL_USERS, DESK, DIRECTORY, REQUESTER, sendMail, silent, waitFor } from '../intake/support/harness';

/** Two analysts, only one on duty: with ANALYST_ROUTING=roster only she hears of new orders. */
const ROSTER: Directory = {
  ...DIRECTORY,
  people: [
    ...DIRECTORY.people.map((p) => (p.id === 'ana' ? { ...p, onDuty: true } : p)),
    { id: 'beto', name: 'Beto Analista', email: 'beto@cjf.example.mx', roles: ['analyst'], centreIds: [] },
  ],
};

/** The database the service opens, named in MONGODB_URI so the test can read what it wrote. */
const uriOf = (t: TestDatabase) => t.uri.replace(/\/(\?|$)/, `/${t.dbName}$1`);

describe('wire', () => {
  let stack: MailStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startMailStack({
      users: ALL_USERS,
      domains: ['cjf.example.mx', 'proveedor.example.com', 'externo.example.org'],
    });
    dir = await mkdtemp(join(tmpdir(), 'wire-'));
    await writeFile(join(dir, 'directory.json'), JSON.stringify(ROSTER));
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Who is owed a notice of the order, whether still on it or already relayed. */
  async function recipientsOf(t: TestDatabase, order: ServiceOrder): Promise<string[]> {
    const relayed = await t.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
    return [...new Set([...order.outbox, ...relayed].map((n) => `${n.event}>${n.recipient.personId}`))].sort();
  }

  it.each<['service' | 'intake-only', string]>([
    ['service', 'npm start'],
    ['intake-only', '--intake-only'],
  ])(
    'routes the notices of a mailed order by ANALYST_ROUTING in %s mode (%s)',
    async (mode) => {
      const t = await openTestDatabase();
      let service: RunningService | undefined;
      try {
        const config = loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          MONGODB_URI: uriOf(t),
          CEDULA_SECRET: 'wire-test-cedula-secret-0123456789abcdef',
          DIRECTORY_FILE: join(dir, 'directory.json'),
          LOG_LEVEL: 'silent',
          IMAP_HOST: '127.0.0.1',
          IMAP_PORT: String(stack.imap.port),
          IMAP_SECURE: 'false',
          IMAP_USER: DESK.user,
          IMAP_PASSWORD: DESK.password,
          MAIL_AUTHSERV_ID: 'mx.cjf.example.mx',
          ANALYST_ROUTING: 'roster',
          NOTIFY_DIGEST_SECONDS: '0',
        });
        service = mode === 'service' ? await startService(config, silent) : await startIntakeOnly(config, silent);
        await sendMail(stack, {
          from: REQUESTER.user,
          to: DESK.user,
          subject: `No enciende el monitor (${mode})`,
          text: 'El monitor no enciende.',
          messageId: `<wire-${mode}@cjf.example.mx>`,
        });
        const orders = t.db.collection<ServiceOrder>('orders');
        // The whole service relays the notices off the order; the intake replica leaves them queued.
        const settled = mode === 'service' ? { outboxPending: { $exists: false } } : {};
        const order = await waitFor(
          'the mailed order',
          async () => (await orders.findOne(settled)) ?? undefined,
          30_000,
        );
        expect(await recipientsOf(t, order)).toEqual(['new_order>ana', 'order_reported>jpena']);
      } finally {
        await service?.stop();
        await t.close();
      }
    },
    90_000,
  );
});
