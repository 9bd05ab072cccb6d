import { closeRemotely } from '../../services/orders/close-remotely';
import { reportOrder } from '../../services/orders/report-order';
import { takeOrder } from '../../services/orders/take-order';
import type { ServiceOrder } from '../../services/orders/types';
import { TEST_ZONE } from '../support/order-services';
import { Card, cardText, executeActions } from './support/cards';
import { PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

const REPORT = { ...PRINTER_REPORT, equipment: { ...PRINTER_REPORT.equipment, inventoryNumber: 'CJF-000123' } };

/** The Action.Submit buttons of a card: title and data. */
const submits = (card: Card) =>
  ((card.actions as Card[] | undefined) ?? [])
    .filter((a) => a.type === 'Action.Submit')
    .map((a) => ({ title: String(a.title), data: a.data as Record<string, unknown> }));

describe('a related report after the reopening window, in Teams (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  let closed: ServiceOrder;
  const deps = () => ({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE });
  const orders = () => w.tdb.db.collection<ServiceOrder>('orders').find({}).sort({ createdAt: 1 }).toArray();

  useHttpBotWorld(async (opened) => {
    w = opened;
    const o = await reportOrder(deps(), REPORT);
    const orderId = o._id.toHexString();
    await takeOrder(deps(), { orderId, actorId: 'ana.lopez', channel: 'teams' });
    await closeRemotely(deps(), { orderId, actorId: 'ana.lopez', channel: 'teams', solution: 'Se reinició la cola.' });
    // Closed a month ago: well past five business days.
    const longAgo = new Date(Date.now() - 30 * 24 * 3600_000);
    await w.tdb.db
      .collection('orders')
      .updateOne(
        { _id: o._id, 'history.action': 'close_remotely' },
        { $set: { 'timestamps.closedAt': longAgo, 'history.$.at': longAgo } },
      );
    closed = (await w.store.findById(o._id))!;
  });

  it('offers the requester «Crear reporte relacionado» instead of «Sigue fallando», and only the requester', async () => {
    const [card] = cardsIn(await w.chat('fernando.ruiz').say(`estado ${closed.folio}`));
    expect(executeActions(card!).map((a) => a.verb)).not.toContain('reopen');
    expect(submits(card!)).toEqual([
      { title: 'Crear reporte relacionado', data: { relatedReport: closed._id.toHexString() } },
    ]);
    const [staffCard] = cardsIn(await w.chat('ana.lopez').say(`estado ${closed.folio}`));
    expect(submits(staffCard!)).toEqual([]);
  });

  it('answers an old card’s «Sigue fallando» with why it cannot reopen, offering the related report, and changes nothing', async () => {
    const card = await w.chat('fernando.ruiz').execute({
      orderId: closed._id.toHexString(),
      verb: 'reopen',
      version: closed.version,
      reason: 'Otra vez no imprime.',
    });
    expect(cardText(card)).toMatch(
      new RegExp(`La orden ${closed.folio} se cerró hace más de 5 días hábiles y ya no puede reabrirse`),
    );
    expect(submits(card).map((s) => s.title)).toEqual(['Crear reporte relacionado']);
    const after = (await w.store.findById(closed._id))!;
    expect(after.status).toBe('closed');
    expect(after.version).toBe(closed.version);
  });

  it('refuses the button for someone else’s order and makes nothing', async () => {
    const before = (await orders()).length;
    const text = await w.chat('ana.lopez').text({ value: { relatedReport: closed._id.toHexString() } });
    expect(text).toMatch(/No encontré esa orden entre tus reportes/);
    const forged = await w.chat('fernando.ruiz').text({ value: { relatedReport: '{"$gt":""}' } });
    expect(forged).toMatch(/No encontré esa orden entre tus reportes/);
    expect((await orders()).length).toBe(before);
  });

  it('takes a new report linked to the closed order, with its equipment and place, saying why it is a new one', async () => {
    const chat = w.chat('fernando.ruiz');
    const started = await chat.text({ value: { relatedReport: closed._id.toHexString() } });
    expect(started).toMatch(
      new RegExp(`La orden \\*\\*${closed.folio}\\*\\* se cerró hace más de 5 días hábiles y ya no puede reabrirse`),
    );
    expect(started).toMatch(/Describe brevemente la falla/);

    const summary = await chat.say('Otra vez atasca el papel en la bandeja 2');
    const [card] = cardsIn(summary);
    expect(cardText(card!)).toMatch(
      new RegExp(`Reporte nuevo relacionado con la orden ${closed.folio}[\\s\\S]*Impresora[\\s\\S]*Sala 3`),
    );

    const done = await chat.text({ value: { intake: 'confirm' } });
    const linked = (await orders()).at(-1)!;
    expect(done).toContain(linked.folio);
    expect(linked).toMatchObject({
      relatedTo: closed.folio,
      status: 'reported',
      centreId: closed.centreId,
      equipment: { type: 'printer', location: 'Sala 3', inventoryNumber: 'CJF-000123' },
      description: 'Otra vez atasca el papel en la bandeja 2',
    });
    expect((await w.store.findById(closed._id))!.status).toBe('closed');

    // Staff see the link on the new order's card.
    const [staff] = cardsIn(await w.chat('ana.lopez').say(`estado ${linked.folio}`));
    expect(cardText(staff!)).toContain(`Relacionada con la orden ${closed.folio}`);
  });
});
