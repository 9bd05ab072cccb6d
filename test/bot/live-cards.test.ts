import { acceptOrder } from '../../services/orders/accept-order';
import { reportOrder } from '../../services/orders/report-order';
import { turnToProvider } from '../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../services/orders/types';
import { orderServices, TEST_ZONE } from '../support/order-services';
import { Card, cardText, executeActions } from './support/cards';
import { claimedNotification, PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

describe('living order cards (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  let order: ServiceOrder;
  let requesterCardId = '';
  const stored = async () => (await w.store.findById(order._id))!;
  const actionOf = (card: Card, verb: string) => executeActions(card).find((a) => a.verb === verb)!;
  /** Delivers the notice the order queued last for `personId` through the Teams channel; returns the posted activity id. */
  async function deliverTo(personId: string): Promise<string> {
    const current = await stored();
    const notice = current.outbox.filter((n) => n.recipient.personId === personId).at(-1)!;
    const before = w.connector.posts.length;
    await w.channel.send(claimedNotification(current, notice), current);
    expect(w.connector.posts.length).toBe(before + 1);
    return `reply-${before + 1}`;
  }

  useHttpBotWorld(async (opened) => {
    w = opened;
    order = await reportOrder({ ...orderServices(w.store, w.directory), timeZone: TEST_ZONE }, PRINTER_REPORT);
    for (const p of ['fernando.ruiz', 'ana.lopez', 'miguel.torres']) await w.chat(p).say('ayuda');
  });

  it('updates the requester’s card in place when an analyst acts from another card', async () => {
    const analystCard = cardsIn(await w.chat('ana.lopez').say(`estado ${order.folio}`))[0]!;
    const take = actionOf(analystCard, 'take');
    const taken = await w.chat('ana.lopez').execute(take.data);
    expect(cardText(taken)).toMatch(/Hecho: Tomar la orden/);
    requesterCardId = await deliverTo('fernando.ruiz');

    const updatesBefore = w.connector.updates.length;
    const assign = actionOf(taken, 'assign_engineer');
    await w.chat('ana.lopez').execute({ ...assign.data, engineerId: 'miguel.torres' });
    const updates = w.connector.updates.slice(updatesBefore);
    expect(updates.map((u) => `${u.conversationId}/${u.activityId}`)).toEqual([
      `a:chat-fernando.ruiz/${requesterCardId}`,
    ]);
    const card = updates[0]!.body.attachments![0]!.content;
    expect(cardText(card)).toMatch(
      /^La orden cambió: ahora está «Turnada a ingeniero», asignada a Miguel Ángel Torres Sánchez\.[\s\S]*Orden de servicio/,
    );
    expect(executeActions(card)).toEqual([]);
  });

  it('updates older cards when the order changes elsewhere and a notice goes out', async () => {
    const engineerCardId = await deliverTo('miguel.torres');
    const deps = orderServices(w.store, w.directory);
    const base = { orderId: order._id.toHexString(), actorId: 'miguel.torres', channel: 'email' as const };
    await acceptOrder(deps, base);
    await turnToProvider(deps, { ...base, contractId: 'CT-2026-001' });
    const before = w.connector.updates.length;
    await deliverTo('fernando.ruiz');
    const updated = w.connector.updates.slice(before);
    // The engineer's card (drawn at assignment) and the requester's first card now show the provider.
    expect(updated.map((u) => u.activityId).sort()).toEqual([engineerCardId, requesterCardId].sort());
    for (const u of updated)
      expect(cardText(u.body.attachments![0]!.content)).toMatch(
        /ahora está «Turnada a proveedor», asignada a Tecnoservicios/,
      );
    const engineerCard = updated.find((u) => u.activityId === engineerCardId)!.body.attachments![0]!.content;
    expect(executeActions(engineerCard).map((a) => a.data.version)).toContain((await stored()).version);
  });

  it('answers a stale click with the card as the order is now and what changed, not a bare conflict', async () => {
    const current = await stored();
    const card = await w.chat('ana.lopez').execute({
      orderId: order._id.toHexString(),
      verb: 'take',
      version: 1,
    });
    const text = cardText(card);
    expect(text).toMatch(/^La orden cambió: ahora está «Turnada a proveedor», asignada a Tecnoservicios/);
    expect(text).not.toMatch(/mientras usted la consultaba/);
    expect((await stored()).version).toBe(current.version);
  });
});
