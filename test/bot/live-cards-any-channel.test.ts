import { addOrderComment } from '../../services/orders/add-order-comment';
import { reportOrder } from '../../services/orders/report-order';
import { runAction } from '../../services/orders/run-action';
import { takeOrder } from '../../services/orders/take-order';
import type { ServiceOrder } from '../../services/orders/types';
import { orderServices, TEST_ZONE } from '../support/order-services';
import { cardText } from './support/cards';
import type { ConnectorUpdate } from './support/connector';
import type { HttpBotWorld } from './support/http-world';
import { claimedNotification, PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';

/** Resolves once `probe` holds, checking again whenever the connector may have been called. */
async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('living order cards follow changes from any channel (real HTTP, CloudAdapter, the change feed)', () => {
  let w: HttpBotWorld;
  let order: ServiceOrder;
  let cardId = '';
  const stored = async () => (await w.store.findById(order._id))!;
  const updatesOf = (activityId: string): ConnectorUpdate[] =>
    w.connector.updates.filter((u) => u.activityId === activityId);

  useHttpBotWorld(
    async (opened) => {
      w = opened;
      const deps = orderServices(w.store, w.directory);
      order = await reportOrder({ ...deps, timeZone: TEST_ZONE }, PRINTER_REPORT);
      await w.chat('fernando.ruiz').say('ayuda');
      await takeOrder(deps, { orderId: order._id.toHexString(), actorId: 'ana.lopez', channel: 'teams' });
      // The requester's card of the order, as the Teams channel posts it with the notice.
      const current = await stored();
      const notice = current.outbox.find((n) => n.recipient.personId === 'fernando.ruiz')!;
      const before = w.connector.posts.length;
      await w.channel.send(claimedNotification(current, notice), current);
      cardId = `reply-${before + 1}`;
    },
    { followChanges: true },
  );

  it('redraws the card in place once when Mesa corrects the order, though no notice goes out', async () => {
    const ana = (await w.directory.personById('ana.lopez'))!;
    const current = await stored();
    await runAction(
      orderServices(w.store, w.directory),
      ana,
      {
        orderId: order._id.toHexString(),
        verb: 'correct_facts',
        version: current.version,
        location: 'Sala 5',
        reason: 'El equipo está en la sala 5.',
      },
      'api',
    );
    expect((await stored()).outbox.length).toBe(current.outbox.length);
    const [update] = await until('the card redrawn', () =>
      updatesOf(cardId).length > 0 ? updatesOf(cardId) : undefined,
    );
    expect(update!.conversationId).toBe('a:chat-fernando.ruiz');
    const card = update!.body.attachments![0]!.content;
    expect(cardText(card)).toMatch(/^La orden cambió: ahora está «En atención de la Mesa»[\s\S]*Ubicación: Sala 5/);
  });

  it('redraws it again, once, when a mailed reply adds to the order', async () => {
    await addOrderComment(orderServices(w.store, w.directory), {
      orderId: order._id.toHexString(),
      actorId: 'fernando.ruiz',
      channel: 'email',
      text: 'Ya la reinicié y sigue sin imprimir.',
    });
    // One redraw per change: the correction's and the comment's, never a second of either.
    const updates = await until('the second redraw', () =>
      updatesOf(cardId).length >= 2 ? updatesOf(cardId) : undefined,
    );
    expect(updates).toHaveLength(2);
    const sent = await w.tdb.db.collection('sentCards').findOne({ activityId: cardId });
    expect(sent?.version).toBe((await stored()).version);
  });
});
