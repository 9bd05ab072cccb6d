import { botServices } from '../../support/order-services';
import { createTeamsBot } from '../../../bot/endpoint';
import { ConversationRefDoc, saveConversationReference } from '../../../bot/conversation-refs';
import { EmailChannel } from '../../../services/mail/email-channel';
import { acceptOrder } from '../../../services/orders/accept-order';
import { assignEngineer } from '../../../services/orders/assign-engineer';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { turnToProvider } from '../../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../../services/orders/types';
import { NotificationDoc, OutboxDispatcher, OutboxRelay } from '../../../services/outbox';
import { startConnector } from '../../bot/support/connector';
import {
  ENGINEER,
  Harness,
  inboxOf,
  mailsIn,
  PROVIDER,
  REQUESTER,
  silent,
  startHarness,
  waitFor,
} from '../../intake/support/harness';
import { guardLoopbackOnly } from '../../support/loopback-only';

/**
 * Channel choice per person, against a Bot Connector stand-in on 127.0.0.1 and the real
 * mail stack (Exim + Dovecot): Teams when a live reference exists, email otherwise,
 * providers always by email, and a 403 from Teams falls back to email and marks the
 * reference stale — each outcome recorded on the notification and in the order's history.
 */
describe('channel choice per person', () => {
  const network = guardLoopbackOnly();
  let h: Harness;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  let dispatcher: OutboxDispatcher;
  let relay: OutboxRelay;
  const refs = () => h.db.db.collection<ConversationRefDoc>('conversationRefs');
  const notifications = () => h.db.db.collection<NotificationDoc>('notifications');
  const deps = () => ({ orders: h.orders, directory: h.directory, timeZone: 'America/Mexico_City' });
  const base = (o: ServiceOrder, actorId: string) => ({
    orderId: o._id.toHexString(),
    actorId,
    channel: 'teams' as const,
    expectedVersion: o.version,
  });
  const remember = (personId: string, conversationId: string) =>
    saveConversationReference(
      h.db.db,
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        bot: { id: '28:bot', name: 'Mesa' },
        user: { id: `29:${personId}`, name: personId },
        conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '' },
      },
      undefined,
      new Date(),
      personId,
    );
  async function deliver(): Promise<void> {
    for (;;) {
      await relay.relayOnce();
      if ((await dispatcher.dispatchOnce(500)) === 0) return;
    }
  }
  const outcomes = async (order: ServiceOrder) =>
    Object.fromEntries(
      (await notifications().find({ orderId: order._id }).toArray()).map((n) => [
        `${n.event}>${n.recipient.personId ?? n.recipient.email}`,
        n.outcome,
      ]),
    );

  beforeAll(async () => {
    [h, connector] = await Promise.all([startHarness(), startConnector()]);
    const { channel: teams } = createTeamsBot({
      bot: {},
      db: h.db.db,
      logger: silent,
      ...botServices(h.orders, h.directory),
    });
    const email = new EmailChannel({ sender: h.sender, directory: h.directory, refs: h.store });
    dispatcher = new OutboxDispatcher({ db: h.db.db, logger: silent, channels: [teams, email], baseDelayMs: 50 });
    relay = new OutboxRelay({ db: h.db.db, logger: silent });
    await remember('ana', 'a:ana');
    await remember('ingeniero', 'a:ingeniero');
    await remember('prov1', 'a:prov1');
    connector.statusFor.set('a:ingeniero', 403);
  }, 120_000);
  afterAll(async () => {
    await connector?.close();
    await h?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  it('uses Teams where a live conversation exists, email otherwise, and email for providers', async () => {
    let o = await reportOrder(deps(), {
      channel: 'email',
      actorId: 'jpena',
      requesterId: 'jpena',
      equipment: { type: 'printer' },
      description: 'La impresora de la sala 1 no imprime.',
    });
    o = await takeOrder(deps(), base(o, 'ana'));
    await deliver();
    expect(connector.posts.filter((p) => p.conversationId === 'a:ana').map((p) => p.body.text)).toEqual([
      `Nueva orden de servicio ${o.folio}.`,
    ]);
    expect(await outcomes(o)).toEqual({
      [`order_reported>jpena`]: 'sent_email',
      [`new_order>ana`]: 'sent_teams',
      [`status_changed>jpena`]: 'sent_email',
    });
    const requesterMail = await inboxOf(h, REQUESTER, 2);
    expect(requesterMail.map((m) => m.subject)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Reporte recibido'),
        expect.stringContaining('En atención de la Mesa'),
      ]),
    );

    o = await assignEngineer(deps(), { ...base(o, 'ana'), engineerId: 'ingeniero' });
    await deliver();
    const assigned = (await notifications().findOne({ orderId: o._id, event: 'order_assigned' }))!;
    expect(assigned).toMatchObject({ state: 'sent', channel: 'email', outcome: 'fell_back', attempts: 1 });
    expect(assigned.reason).toMatch(/teams: Teams answered 403/);
    expect(await refs().findOne({ personId: 'ingeniero' })).toMatchObject({ staleAt: expect.any(Date) });
    const engineerMail = await waitFor('engineer mail', async () => {
      const m = await mailsIn(h.stack, ENGINEER);
      return m.length >= 1 && m;
    });
    expect(engineerMail[0]!.toString('utf8')).toMatch(
      new RegExp(`Subject: \\[${o.folio}\\] Orden ${o.folio} turnada a usted`),
    );
    const history = (await h.orders.findById(o._id))!.history.filter(
      (e) => e.action === 'notification' && e.notification?.id === assigned._id,
    );
    expect(history).toEqual([
      expect.objectContaining({
        notification: expect.objectContaining({
          outcome: 'fell_back',
          channel: 'email',
          detail: expect.stringMatching(/403/),
        }),
      }),
    ]);

    o = await acceptOrder(deps(), base(o, 'ingeniero'));
    o = await turnToProvider(deps(), { ...base(o, 'ingeniero'), contractId: 'CT-1' });
    await deliver();
    expect(connector.posts.some((p) => p.conversationId === 'a:prov1')).toBe(false);
    expect(await outcomes(o)).toMatchObject({ [`turned_to_provider>${PROVIDER.user}`]: 'sent_email' });
    await waitFor('provider mail', async () => (await mailsIn(h.stack, PROVIDER)).length >= 1);
  }, 120_000);

  it('sends later notices for a stale Teams reference straight by email', async () => {
    const o = await reportOrder(deps(), {
      channel: 'email',
      actorId: 'jpena',
      requesterId: 'jpena',
      equipment: { type: 'computer' },
      description: 'El equipo no enciende.',
    });
    const assigned = await assignEngineer(deps(), { ...base(o, 'ana'), engineerId: 'ingeniero' });
    await deliver();
    const n = await notifications().findOne({ orderId: assigned._id, event: 'order_assigned' });
    expect(n).toMatchObject({ outcome: 'sent_email', channel: 'email' });
  }, 60_000);

  it('groups a burst of new orders for an analyst into one Teams digest after the first five messages', async () => {
    let clock = Date.now();
    const now = () => new Date(clock);
    const { channel: teams } = createTeamsBot({
      bot: {},
      db: h.db.db,
      logger: silent,
      ...botServices(h.orders, h.directory),
    });
    const email = new EmailChannel({ sender: h.sender, directory: h.directory, refs: h.store });
    const quiet = new OutboxDispatcher({
      db: h.db.db,
      logger: silent,
      channels: [teams, email],
      now,
      digestWindowMs: 60_000,
      concurrency: 4,
    });
    const relayNow = new OutboxRelay({ db: h.db.db, logger: silent, now });
    const send = async () => {
      for (;;) {
        await relayNow.relayOnce();
        if ((await quiet.dispatchOnce(500)) === 0) return;
      }
    };
    const before = connector.posts.filter((p) => p.conversationId === 'a:ana').length;
    const burst: ServiceOrder[] = [];
    for (let i = 0; i < 12; i += 1) {
      burst.push(
        await reportOrder(deps(), {
          channel: 'email',
          actorId: 'jpena',
          requesterId: 'jpena',
          equipment: { type: 'printer' },
          description: `La impresora ${i} no imprime.`,
        }),
      );
      clock += 1_000;
      await send();
    }
    const toAna = () => connector.posts.filter((p) => p.conversationId === 'a:ana').slice(before);
    expect(toAna().map((p) => p.body.text)).toEqual(
      burst.slice(0, 5).map((o) => `Nueva orden de servicio ${o.folio}.`),
    );
    clock += 60_000;
    await send();
    const [digest, ...more] = toAna().slice(5);
    expect(more).toEqual([]);
    expect(digest!.body.text).toBe('Tienes 7 avisos de 7 órdenes de servicio:');
    const card = JSON.stringify(digest!.body.attachments![0]!.content);
    for (const o of burst.slice(5)) expect(card).toContain(`estado ${o.folio}`);
    expect(
      await notifications().countDocuments({
        orderId: { $in: burst.map((o) => o._id) },
        event: 'new_order',
        state: 'sent',
        outcome: 'sent_teams',
      }),
    ).toBe(12);
  }, 60_000);
});
