import { renderNotice } from '../../services/mail/templates';
import { getOrder } from '../../services/orders/get-order';
import { reportOrder } from '../../services/orders/report-order';
import type { ServiceOrder } from '../../services/orders/types';
import { TEST_ZONE } from '../support/order-services';
import { Card, cardText, executeActions } from './support/cards';
import { claimedNotification, PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

describe('staff write to the requester, and keep internal notes (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  let order: ServiceOrder;
  const stored = async () => (await w.store.findById(order._id))!;
  const actionOf = (card: Card, verb: string) => executeActions(card).find((a) => a.verb === verb)!;
  const statusCard = async (personId: string) => cardsIn(await w.chat(personId).say(`estado ${order.folio}`))[0]!;

  useHttpBotWorld(async (opened) => {
    w = opened;
    order = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, PRINTER_REPORT);
    // The requester has chatted with the bot: their conversation reference is stored.
    await w.chat('fernando.ruiz').say('ayuda');
  });

  it('offers analysts a text field to write to the requester and one for an internal note', async () => {
    const card = await statusCard('ana.lopez');
    expect(actionOf(card, 'message_requester').inputs).toEqual(['message']);
    expect(actionOf(card, 'add_note').inputs).toEqual(['message']);
    expect(JSON.stringify(card)).toMatch(/Escribir al solicitante[\s\S]*Mensaje para el solicitante/);
    expect(JSON.stringify(card)).toMatch(/Agregar nota interna[\s\S]*solo la ve el personal/);
    expect(executeActions(await statusCard('fernando.ruiz'))).toEqual([]);
  });

  it('puts an analyst’s message on the history and delivers it to the requester’s Teams chat', async () => {
    const action = actionOf(await statusCard('ana.lopez'), 'message_requester');
    const text = '¿La impresora muestra algún código en la pantalla?';
    const answer = await w.chat('ana.lopez').execute({ ...action.data, message: text });
    expect(cardText(answer)).toMatch(/Hecho: Escribir al solicitante/);
    const after = await stored();
    expect(after.status).toBe('reported');
    expect(after.history.at(-1)).toMatchObject({
      action: 'message_requester',
      by: { personId: 'ana.lopez' },
      role: 'analyst',
      channel: 'teams',
      note: text,
    });
    const notice = after.outbox.find((n) => n.event === 'staff_message')!;
    expect(notice.recipient).toMatchObject({ personId: 'fernando.ruiz', role: 'requester' });

    const before = w.connector.posts.length;
    await w.channel.send(claimedNotification(after, notice), after);
    const delivered = w.connector.posts.slice(before);
    expect(delivered.map((p) => p.conversationId)).toEqual(['a:chat-fernando.ruiz']);
    expect(delivered[0]!.body.text).toBe(`Ana Laura López Hernández te escribe sobre la orden ${order.folio}: ${text}`);
    // Without a Teams chat the same words go by mail, threaded with the order, with how to answer.
    const mail = renderNotice('staff_message', after);
    expect(mail.subject).toContain(`Mensaje sobre su orden ${order.folio}`);
    expect(mail.text).toContain(text);
    expect(mail.text).toContain(`agregar ${order.folio}`);
  });

  it('brings the requester’s answer back onto the order for the staff', async () => {
    const reply = await w.chat('fernando.ruiz').text(`agregar ${order.folio} Sí, muestra el código E-52`);
    expect(reply).toMatch(/Agregué tu mensaje/);
    const after = await stored();
    expect(after.history.at(-1)).toMatchObject({ action: 'comment', note: 'Sí, muestra el código E-52' });
    expect(after.outbox.filter((n) => n.event === 'order_comment').map((n) => n.recipient.personId)).toContain(
      'ana.lopez',
    );
  });

  it('keeps an internal note for staff only: on the history, told to no one, hidden from the requester', async () => {
    const action = actionOf(await statusCard('ana.lopez'), 'add_note');
    const note = 'El proveedor tarda; revisar garantía antes de turnar';
    await w.chat('ana.lopez').execute({ ...action.data, message: note });
    const after = await stored();
    expect(after.history.at(-1)).toMatchObject({ action: 'add_note', note, role: 'analyst', channel: 'teams' });
    expect(after.outbox.some((n) => n.id.includes(`:${after.version}:`))).toBe(false);

    const fernando = (await w.directory.personById('fernando.ruiz'))!;
    const ana = (await w.directory.personById('ana.lopez'))!;
    const asRequester = await getOrder({ orders: w.store }, { folio: order.folio, viewer: { person: fernando } });
    expect(asRequester.history.some((h) => h.note === note)).toBe(false);
    const asAnalyst = await getOrder({ orders: w.store }, { folio: order.folio, viewer: { person: ana } });
    expect(asAnalyst.history.some((h) => h.note === note)).toBe(true);
    expect(JSON.stringify(await statusCard('fernando.ruiz'))).not.toContain(note);
    // A later notice to the requester never borrows the note's words.
    expect(JSON.stringify(renderNotice('staff_message', after))).not.toContain(note);
    expect(JSON.stringify(renderNotice('status_changed', after))).not.toContain(note);
  });

  it.each([
    ['the requester', 'fernando.ruiz', /No tiene permiso para «Escribir al solicitante»/],
    ['an engineer not on the order', 'daniel.ortiz', /No tiene permiso para «Escribir al solicitante»/],
  ])('refuses %s in Spanish and changes nothing', async (_who, personId, expected) => {
    const { version } = await stored();
    const card = await w.chat(personId).execute({
      orderId: order._id.toHexString(),
      verb: 'message_requester',
      version,
      message: 'Hola',
    });
    expect(cardText(card)).toMatch(expected);
    expect((await stored()).version).toBe(version);
  });

  it('refuses an empty message before anything is written', async () => {
    const { version } = await stored();
    const card = await w.chat('ana.lopez').execute({
      orderId: order._id.toHexString(),
      verb: 'add_note',
      version,
    });
    expect(cardText(card)).toMatch(/Para «Agregar nota interna» falta: el texto del mensaje/);
    expect((await stored()).version).toBe(version);
  });
});
