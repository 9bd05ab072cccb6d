import { botServices, TEST_ZONE } from '../support/order-services';
import { createTeamsBot } from '../../bot/endpoint';
import { ConversationRefDoc, saveConversationReference } from '../../bot/conversation-refs';
import { NOTICE_EVENTS } from '../../services/notifications/events';
import { genericNotice, noticeMessage } from '../../services/notifications/messages';
import { reportOrder } from '../../services/orders/report-order';
import type { ServiceOrder } from '../../services/orders/types';
import type { NotificationDoc } from '../../services/outbox/types';
import { claimedNotification, quietLogger } from '../services/outbox/fixtures';
import { guardLoopbackOnly } from '../support/loopback-only';
import { cardText, executeActions } from './support/cards';
import { startConnector } from './support/connector';
import { aadOf, BotWorld, openBotWorld } from './support/world';

describe('TeamsNotificationChannel', () => {
  const network = guardLoopbackOnly();
  let w: BotWorld;
  let connector: Awaited<ReturnType<typeof startConnector>>;
  const refs = () => w.tdb.db.collection<ConversationRefDoc>('conversationRefs');
  const remember = (personId: string, conversationId: string) =>
    saveConversationReference(
      w.tdb.db,
      {
        channelId: 'msteams',
        serviceUrl: connector.url,
        bot: { id: '28:bot', name: 'Mesa' },
        user: { id: `29:${personId}`, name: personId },
        conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '' },
      },
      aadOf(personId),
      new Date(),
      personId,
    );
  const notice = (
    personId: string,
    role: 'analyst' | 'engineer',
    orderId: NotificationDoc['orderId'],
  ): NotificationDoc =>
    claimedNotification(
      { _id: orderId },
      {
        id: `n-${personId}-${Date.now()}`,
        event: role === 'analyst' ? 'new_order' : 'order_assigned',
        recipient: { personId, role },
      },
    );

  beforeAll(async () => {
    w = await openBotWorld();
    connector = await startConnector();
  });
  afterAll(async () => {
    await connector?.close();
    await w?.close();
    network.restore();
  });
  afterEach(() => {
    expect(network.attempts).toEqual([]);
  });

  it('sends the order card for the recipient role through their own stored reference', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'network' },
        description: 'Sin red en la sala 2',
      },
    );
    await remember('ana.lopez', 'a:ana');
    expect(await channel.canReach({ personId: 'ana.lopez', role: 'analyst' })).toBe(true);
    expect(await channel.canReach({ personId: 'carlos.ramirez', role: 'analyst' })).toBe(false);
    await channel.send(notice('ana.lopez', 'analyst', order._id), order);
    const post = connector.posts.at(-1)!;
    expect(post.conversationId).toBe('a:ana');
    expect(post.body.text).toBe(`Nueva orden de servicio ${order.folio}.`);
    const card = post.body.attachments![0]!.content;
    // The text says what happened; the card shows the order and does not say it again.
    expect(cardText(card)).toMatch(new RegExp(`Orden de servicio ${order.folio}[\\s\\S]*Reportada`));
    expect(cardText(card)).not.toContain(post.body.text!);
    expect(
      executeActions(card)
        .map((a) => a.verb)
        .sort(),
    ).toEqual(['add_note', 'assign_engineer', 'cancel', 'correct_facts', 'message_requester', 'set_priority', 'take']);
  });

  it('does not use a stored conversation whose connector the deployment did not name, and calls nobody', async () => {
    await saveConversationReference(
      w.tdb.db,
      {
        channelId: 'msteams',
        serviceUrl: 'https://attacker.example/',
        bot: { id: '28:bot', name: 'Mesa' },
        user: { id: '29:rosa.mendoza', name: 'rosa.mendoza' },
        conversation: { id: 'a:rosa', conversationType: 'personal', isGroup: false, name: '' },
      },
      aadOf('rosa.mendoza'),
      new Date(),
      'rosa.mendoza',
    );
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'network' },
        description: 'Sin red en la sala 4',
      },
    );
    expect(await channel.canReach({ personId: 'rosa.mendoza', role: 'engineer' })).toBe(false);
    await expect(channel.send(notice('rosa.mendoza', 'engineer', order._id), order)).rejects.toMatchObject({
      code: 'UPSTREAM',
      details: { gone: true },
    });
  });

  it('says a specific sentence naming the folio with the card for every notice event, from the catalogue, and the card does not repeat it', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const reported = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'printer' },
        description: 'No imprime en la sala 3',
      },
    );
    const order = { ...reported, cedula: { code: 'ABCDE-FGHJK-LMNPQ-RSTUV', issuedAt: new Date() } };
    await remember('ana.lopez', 'a:ana-all');
    for (const event of NOTICE_EVENTS) {
      await channel.send({ ...notice('ana.lopez', 'analyst', order._id), _id: `n-all-${event}`, event }, order);
      const post = connector.posts.at(-1)!;
      expect(post.conversationId).toBe('a:ana-all');
      expect(post.body.text).toBe(noticeMessage(event, order).line);
      expect(post.body.text).toContain(order.folio);
      expect(post.body.text).not.toBe(genericNotice(order).line);
      expect(cardText(post.body.attachments![0]!.content)).not.toContain(post.body.text!);
      if (event === 'cedula_issued') expect(post.body.text).toContain('/cedula/verify/ABCDE-FGHJK-LMNPQ-RSTUV');
    }
  });

  it('indexes stored references by directory person for the proactive lookup', async () => {
    createTeamsBot({ bot: {}, db: w.tdb.db, logger: quietLogger(), ...botServices(w.store, w.directory) });
    const keys = async () => (await refs().listIndexes().toArray()).map((i) => i.key);
    for (let i = 0; i < 50 && !JSON.stringify(await keys()).includes('personId'); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await keys()).toContainEqual({ personId: 1 });
  });

  it('sends several notices for one person as one digest message, a line and a «Ver orden» button per order', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const deps = { orders: w.store, directory: w.directory, timeZone: TEST_ZONE };
    const orders = [];
    for (const room of [7, 8, 9]) {
      orders.push(
        await reportOrder(deps, {
          channel: 'email',
          actorId: 'fernando.ruiz',
          requesterId: 'fernando.ruiz',
          equipment: { type: 'network' },
          description: `Sin red en la sala ${room}`,
        }),
      );
    }
    await remember('ana.lopez', 'a:ana-digest');
    const before = connector.posts.length;
    await channel.sendDigest!(
      orders.map((order, i) => ({
        doc: { ...notice('ana.lopez', 'analyst', order._id), _id: `n-digest-${i}` },
        order,
      })),
    );
    expect(connector.posts.length).toBe(before + 1);
    const post = connector.posts.at(-1)!;
    expect(post.conversationId).toBe('a:ana-digest');
    expect(post.body.text).toBe('Tienes 3 avisos de 3 órdenes de servicio:');
    const card = post.body.attachments![0]!.content;
    const text = cardText(card);
    for (const order of orders) {
      expect(text).toContain(`**${order.folio}** · Reportada`);
      expect(text).toContain(`Nueva orden de servicio ${order.folio}.`);
    }
    const buttons = JSON.stringify(card).match(/"value":"estado OS-\d{4}-\d{6}"/g) ?? [];
    expect(buttons).toEqual(orders.map((o) => `"value":"estado ${o.folio}"`));
    expect(text).not.toContain('avisos más');
  });

  it('keeps a digest of hundreds of notices within one Teams message, counting the rest and naming the list that shows them', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const deps = { orders: w.store, directory: w.directory, timeZone: TEST_ZONE };
    const orders: ServiceOrder[] = [];
    for (let i = 0; i < 30; i++) {
      orders.push(
        await reportOrder(deps, {
          channel: 'email',
          actorId: 'fernando.ruiz',
          requesterId: 'fernando.ruiz',
          equipment: { type: 'network' },
          description: `Sin red en el área ${i}`,
        }),
      );
    }
    await remember('ana.lopez', 'a:ana-burst');
    const before = connector.posts.length;
    const items = Array.from({ length: 300 }, (_, i) => ({
      doc: { ...notice('ana.lopez', 'analyst', orders[i % 30]!._id), _id: `n-burst-${i}` },
      order: orders[i % 30]!,
    }));
    await channel.sendDigest!(items);
    expect(connector.posts.length).toBe(before + 1);
    const post = connector.posts.at(-1)!;
    expect(post.body.text).toBe('Tienes 300 avisos de 30 órdenes de servicio:');
    expect(Buffer.byteLength(JSON.stringify(post.body))).toBeLessThan(28_000);
    const card = post.body.attachments![0]!.content;
    const listed = (JSON.stringify(card).match(/"value":"estado OS-\d{4}-\d{6}"/g) ?? []).length;
    expect(listed).toBeGreaterThan(0);
    expect(cardText(card)).toContain(
      `… y ${300 - listed} avisos más. Consulta una orden con **estado <folio>** o escribe **pendientes**.`,
    );
  });

  it('sends a digest of a single notice as that notice alone', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'printer' },
        description: 'No imprime en la sala 10',
      },
    );
    await remember('fernando.ruiz', 'a:fernando-digest');
    const before = connector.posts.length;
    await channel.sendDigest!([
      {
        doc: {
          ...notice('fernando.ruiz', 'analyst', order._id),
          _id: 'n-own-2',
          event: 'status_changed',
          recipient: { personId: 'fernando.ruiz', role: 'requester' as const },
        },
        order,
      },
    ]);
    expect(connector.posts.length).toBe(before + 1);
    expect(connector.posts.at(-1)!.body.text).toBe(`La orden ${order.folio} cambió a «Reportada».`);
  });

  it('fails a digest with the same typed error as a single notice when Teams says the chat is gone', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'email',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'network' },
        description: 'Sin red en la sala 11',
      },
    );
    await remember('carlos.ramirez', 'a:carlos-digest');
    connector.statusFor.set('a:carlos-digest', 404);
    const items = ['n-gone-1', 'n-gone-2'].map((id) => ({
      doc: { ...notice('carlos.ramirez', 'analyst', order._id), _id: id },
      order,
    }));
    await expect(channel.sendDigest!(items)).rejects.toMatchObject({
      code: 'UPSTREAM',
      details: { status: 404, gone: true },
    });
    expect(await channel.canReach({ personId: 'carlos.ramirez', role: 'analyst' })).toBe(false);
  });

  it('marks the reference stale on 403/404 and throws a typed error the dispatcher records', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'network' },
        description: 'Sin red en la sala 5',
      },
    );
    for (const [personId, status] of [
      ['miguel.torres', 403],
      ['daniel.ortiz', 404],
    ] as const) {
      await remember(personId, `a:${personId}`);
      connector.statusFor.set(`a:${personId}`, status);
      await expect(channel.send(notice(personId, 'engineer', order._id), order)).rejects.toMatchObject({
        code: 'UPSTREAM',
        details: { status, gone: true },
      });
      expect(await refs().findOne({ _id: aadOf(personId) })).toMatchObject({ staleAt: expect.any(Date) });
      expect(await channel.canReach({ personId, role: 'engineer' })).toBe(false);
    }
  });

  it('throws a retryable UPSTREAM error on other failures and keeps the reference', async () => {
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, w.directory),
    });
    const order = await reportOrder(
      { orders: w.store, directory: w.directory, timeZone: TEST_ZONE },
      {
        channel: 'teams',
        actorId: 'fernando.ruiz',
        requesterId: 'fernando.ruiz',
        equipment: { type: 'network' },
        description: 'Sin red en la sala 6',
      },
    );
    await remember('jorge.valdez', 'a:jorge');
    connector.statusFor.set('a:jorge', 400);
    const error = await channel.send(notice('jorge.valdez', 'engineer', order._id), order).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UPSTREAM' });
    expect((error as { details: { gone?: boolean } }).details.gone).toBeUndefined();
    expect(await channel.canReach({ personId: 'jorge.valdez', role: 'engineer' })).toBe(true);
  });

  it('maps a failure to read the directory or the stored references to UPSTREAM', async () => {
    const failing = Object.create(w.directory) as typeof w.directory;
    failing.personById = async () => {
      throw new Error('directory unavailable');
    };
    const { channel } = createTeamsBot({
      bot: {},
      db: w.tdb.db,
      logger: quietLogger(),
      ...botServices(w.store, failing),
    });
    await expect(channel.canReach({ personId: 'ana.lopez', role: 'analyst' })).rejects.toMatchObject({
      name: 'AppError',
      code: 'UPSTREAM',
      message: expect.stringContaining('directory unavailable'),
    });
  });
});
