import { ObjectId } from 'mongodb';
import { EmailChannel } from '../../../services/mail/email-channel';
import type { MailSender, OutgoingMail } from '../../../services/mail/mail-sender';
import type { ServiceOrder } from '../../../services/orders/types';
import { NotificationDoc, OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import { ANALYST, Harness, inboxOf, silent, startHarness } from '../../intake/support/harness';

describe('email digests', () => {
  let h: Harness;
  let clock: number;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function newOrderFor(personId: string, n: number): Promise<string> {
    const _id = new ObjectId();
    const now = new Date(clock);
    const order: ServiceOrder = {
      _id,
      folio: `OS-2026-${String(900 + n).padStart(6, '0')}`,
      status: 'reported',
      version: 1,
      requester: { personId: 'jpena', name: 'José Peña' },
      centreId: 'CJPF-CDMX',
      channel: 'email',
      equipment: { type: 'computer' },
      description: `Falla ${n}`,
      priority: 'medium',
      attachments: [],
      timestamps: { reportedAt: now },
      history: [],
      createdAt: now,
      updatedAt: now,
      outboxPending: true,
      outbox: [
        {
          id: `${_id.toHexString()}:1:new_order:${personId}`,
          event: 'new_order',
          recipient: { personId, role: 'analyst' },
          createdAt: now,
        },
      ],
    };
    await h.db.db.collection<ServiceOrder>('orders').insertOne(order);
    return order.folio;
  }

  it('sends a burst for one person as one mail listing every folio', async () => {
    clock = Date.now();
    const now = () => new Date(clock);
    const channel = new EmailChannel({ sender: h.sender, directory: h.directory, refs: h.store });
    const dispatcher = new OutboxDispatcher({
      db: h.db.db,
      logger: silent,
      channels: [channel],
      digestWindowMs: 60_000,
      now,
    });
    const relay = new OutboxRelay({ db: h.db.db, logger: silent, now });
    const first = await newOrderFor('ana', 0);
    await relay.relayOnce();
    await dispatcher.dispatchOnce();
    const burst: string[] = [];
    for (let i = 1; i <= 6; i += 1) burst.push(await newOrderFor('ana', i));
    await relay.relayOnce();
    await dispatcher.dispatchOnce();
    clock += 60_000;
    await dispatcher.dispatchOnce();
    expect(
      await h.db.db
        .collection<NotificationDoc>('notifications')
        .countDocuments({ state: 'sent', outcome: 'sent_email' }),
    ).toBe(7);
    const mails = await inboxOf(h, ANALYST, 2);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.subject).toContain(first);
    expect(mails[1]!.subject).toBe('6 avisos de la Mesa de Servicio');
    for (const folio of burst) expect(mails[1]!.text).toContain(`${folio}: Nueva orden de servicio ${folio}`);
  }, 60_000);
});

describe('an email digest holding a Cédula notice', () => {
  it('attaches the Cédula PDF read by the notice order id, as the single mail would', async () => {
    const orderId = new ObjectId();
    const sent: OutgoingMail[] = [];
    const sender: MailSender = {
      from: 'mesa@cjf.example.mx',
      send: async (m) => {
        sent.push(m);
      },
      close: async () => undefined,
    };
    const pdf = Buffer.from('%PDF-1.7 cedula');
    const directory = { personById: async () => null };
    const cedulaPdfs = {
      pdfOfOrder: async (id: ObjectId) => (id.equals(orderId) ? { folio: 'OS-2026-000077', pdf } : null),
    };
    const channel = new EmailChannel({
      sender,
      directory,
      refs: { rememberRef: async () => undefined, firstReceived: async () => undefined },
      cedulaPdfs,
    });
    const now = new Date();
    const order = {
      _id: orderId,
      folio: 'OS-2026-000077',
      status: 'closed',
      history: [],
      cedula: { code: 'ABCDE-FGHJK-LMNPQ-RSTUV', issuedAt: now },
    } as unknown as ServiceOrder;
    const doc = (event: string): NotificationDoc => ({
      _id: `${orderId.toHexString()}:${event}:req`,
      orderId,
      event,
      recipient: { personId: 'req', email: 'req@cjf.example.mx', role: 'requester' },
      state: 'claimed',
      attempts: 1,
      dueAt: now,
      log: [],
      createdAt: now,
      updatedAt: now,
    });
    await channel.sendDigest!([
      { doc: doc('status_changed'), order },
      { doc: doc('cedula_issued'), order },
    ]);
    expect(sent[0]!.attachments).toEqual([
      { filename: 'cedula-OS-2026-000077.pdf', content: pdf, contentType: 'application/pdf' },
    ]);
  });
});
