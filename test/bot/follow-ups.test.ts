import { reportOrder } from '../../services/orders/report-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import { cancelOrder } from '../../services/orders/cancel-order';
import type { ServiceOrder } from '../../services/orders/types';
import { TEST_ZONE } from '../support/order-services';
import { cardText, Card } from './support/cards';
import { PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

/** The Action.Submit buttons of a card: title and data. */
const submits = (card: Card) =>
  ((card.actions as Card[] | undefined) ?? [])
    .filter((a) => a.type === 'Action.Submit')
    .map((a) => ({ title: String(a.title), data: a.data as Record<string, unknown> }));

describe('requester follow-ups in Teams (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  let older: ServiceOrder;
  let newer: ServiceOrder;
  const deps = () => ({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE });
  const stored = async (o: ServiceOrder) => (await w.store.findById(o._id))!;
  const orderCount = () => w.tdb.db.collection('orders').countDocuments();

  useHttpBotWorld(async (opened) => {
    w = opened;
    older = await reportOrder(deps(), {
      ...PRINTER_REPORT,
      description: 'El monitor parpadea',
      equipment: { type: 'computer' },
    });
    older = await assignEngineer(deps(), {
      orderId: older._id.toHexString(),
      actorId: 'ana.lopez',
      channel: 'teams',
      engineerId: 'miguel.torres',
    });
    newer = await reportOrder(deps(), PRINTER_REPORT);
  });

  it('asks a requester with open orders where a free text belongs, newest order first, and changes nothing yet', async () => {
    const before = await orderCount();
    const replies = await w.chat('fernando.ruiz').say('ya reinicié la impresora y sigue igual');
    expect(replies.map((r) => r.text).join()).toMatch(/Tienes órdenes abiertas/);
    const [card] = cardsIn(replies);
    expect(cardText(card!)).toMatch(/¿A cuál de tus órdenes abiertas[\s\S]*ya reinicié la impresora y sigue igual/);
    expect(submits(card!).map((s) => s.title)).toEqual([
      `${newer.folio} · Impresora (Reportada)`,
      `${older.folio} · Equipo de cómputo (Turnada a ingeniero)`,
      'Es un reporte nuevo',
    ]);
    expect(await orderCount()).toBe(before);
    expect((await stored(newer)).history).toHaveLength(1);
  });

  it('adds the text to the chosen order as the requester’s comment from Teams, told to the analysts when untaken', async () => {
    const chat = w.chat('fernando.ruiz');
    const text = await chat.text({ value: { followUp: 'order', orderId: newer._id.toHexString() } });
    expect(text).toMatch(new RegExp(`Agregué tu mensaje a la orden \\*\\*${newer.folio}\\*\\*; la Mesa de Servicio`));
    const after = await stored(newer);
    expect(after.history.at(-1)).toMatchObject({
      action: 'comment',
      by: { personId: 'fernando.ruiz' },
      channel: 'teams',
      note: 'ya reinicié la impresora y sigue igual',
    });
    expect(after.history.at(-1)!.at).toBeInstanceOf(Date);
    expect(after.outbox.map((n) => `${n.recipient.personId}:${n.event}`).sort()).toEqual(
      expect.arrayContaining(['ana.lopez:order_comment', 'carlos.ramirez:order_comment']),
    );
    expect(after.status).toBe('reported');
    // The kept message is used once: a second click adds nothing.
    expect(await chat.text({ value: { followUp: 'order', orderId: newer._id.toHexString() } })).toMatch(
      /Ya no tengo ese mensaje pendiente/,
    );
    expect((await stored(newer)).history).toHaveLength(after.history.length);
  });

  it('tells the assigned engineer of a follow-up on an order turned to them', async () => {
    const chat = w.chat('fernando.ruiz');
    await chat.say('el monitor ahora ya no enciende');
    expect(await chat.text({ value: { followUp: 'order', orderId: older._id.toHexString() } })).toMatch(
      /Miguel Ángel Torres Sánchez, el ingeniero que la atiende/,
    );
    const after = await stored(older);
    expect(after.outbox.filter((n) => n.event === 'order_comment').map((n) => n.recipient.personId)).toEqual([
      'miguel.torres',
    ]);
  });

  it('starts a new report with the kept text when the requester says it is new', async () => {
    const chat = w.chat('fernando.ruiz');
    await chat.say('el teléfono de la oficina 2 no tiene tono');
    const text = await chat.text({ value: { followUp: 'new' } });
    expect(text).toMatch(/Vamos a registrar tu reporte/);
    expect(await chat.text('cancelar')).toMatch(/Cancelé el reporte/);
  });

  it('adds directly with «agregar <folio> <texto>»', async () => {
    const text = await w.chat('fernando.ruiz').text(`agregar ${newer.folio} la sala está abierta hasta las 18 h`);
    expect(text).toMatch(new RegExp(`Agregué tu mensaje a la orden \\*\\*${newer.folio}\\*\\*`));
    expect((await stored(newer)).history.at(-1)).toMatchObject({
      action: 'comment',
      note: 'la sala está abierta hasta las 18 h',
      channel: 'teams',
    });
  });

  it.each([
    ['an order that is not theirs', 'maria.hernandez', () => newer.folio, /No encontré la orden/],
    ['a malformed command', 'fernando.ruiz', () => 'OS-1', /Escribe \*\*agregar\*\* seguido del folio/],
  ])('refuses %s in Spanish and changes nothing', async (_what, who, folio, expected) => {
    const before = (await stored(newer)).version;
    expect(await w.chat(who).text(`agregar ${folio()} un dato más`)).toMatch(expected);
    expect((await stored(newer)).version).toBe(before);
  });

  it('refuses a follow-up to an order that concluded after the card was drawn', async () => {
    const chat = w.chat('fernando.ruiz');
    await chat.say('otra cosa: la bandeja 2 atora el papel');
    await cancelOrder(deps(), {
      orderId: newer._id.toHexString(),
      actorId: 'ana.lopez',
      channel: 'teams',
      reason: 'Reporte duplicado',
    });
    const version = (await stored(newer)).version;
    expect(await chat.text({ value: { followUp: 'order', orderId: newer._id.toHexString() } })).toMatch(
      new RegExp(`La orden ${newer.folio} ya está concluida`),
    );
    expect((await stored(newer)).version).toBe(version);
  });

  it('refuses an order the card did not offer for this message', async () => {
    const chat = w.chat('fernando.ruiz');
    await chat.say('una pregunta más sobre el monitor');
    expect(await chat.text({ value: { followUp: 'order', orderId: newer._id.toHexString() } })).toMatch(
      /Esa tarjeta era para otro mensaje/,
    );
  });
});
