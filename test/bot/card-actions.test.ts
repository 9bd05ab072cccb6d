import { TEST_ZONE } from '../support/order-services';
import { ObjectId } from 'mongodb';
import { reportOrder } from '../../services/orders/report-order';
import type { ServiceOrder } from '../../services/orders/types';
import { Card, cardsOf, cardText, execute, executeActions, invoke } from './support/cards';
import { BotWorld, Chat, openBotWorld, userOf } from './support/world';

const ORDER_TEXT = {
  channel: 'teams' as const,
  actorId: 'fernando.ruiz',
  requesterId: 'fernando.ruiz',
  equipment: { type: 'printer' as const, location: 'Sala 3' },
  description: 'La impresora de la sala 3 no imprime',
};

describe('order cards and card actions', () => {
  let w: BotWorld;
  let order: ServiceOrder;
  const chatOf = (personId: string) => new Chat(w.newBot(), userOf(personId));
  const stored = async () => (await w.store.findById(order._id))!;
  const actionOf = (card: Card, verb: string) => {
    const found = executeActions(card).find((a) => a.verb === verb);
    if (!found)
      throw new Error(
        `no ${verb} on card: ${executeActions(card)
          .map((a) => a.verb)
          .join(', ')}`,
      );
    return found;
  };

  beforeAll(async () => {
    w = await openBotWorld();
    order = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, ORDER_TEXT);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('shows analysts the queue of new orders with the actions their role may take', async () => {
    const replies = await chatOf('ana.lopez').say('pendientes');
    expect(replies.map((r) => r.text).join()).toMatch(/Hay 1 orden nueva/);
    const [card] = cardsOf(replies);
    expect(cardText(card!)).toMatch(new RegExp(`${order.folio}[\\s\\S]*Reportada[\\s\\S]*Impresora[\\s\\S]*Sala 3`));
    expect(
      executeActions(card!)
        .map((a) => a.verb)
        .sort(),
    ).toEqual(['add_note', 'assign_engineer', 'cancel', 'correct_facts', 'message_requester', 'set_priority', 'take']);
    expect(actionOf(card!, 'take').data).toEqual({ orderId: order._id.toHexString(), verb: 'take', version: 1 });
    expect(actionOf(card!, 'assign_engineer').inputs).toEqual(['engineerId']);
  });

  it('shows a requester no staff actions and refuses staff commands', async () => {
    const chat = chatOf('fernando.ruiz');
    const replies = await chat.say(`estado ${order.folio}`);
    expect(replies[0]?.text).toMatch(/está en estado: \*\*Reportada\*\*/);
    expect(executeActions(cardsOf(replies)[0]!)).toEqual([]);
    expect(await chat.text('pendientes')).toMatch(/solo para el personal/);
    expect(await chat.text('mis reportes')).toMatch(/Tienes 1 orden abierta/);
  });

  it('moves the order along from cards: take, assign with a choice list, accept, resolve with documentation, close', async () => {
    const analyst = chatOf('ana.lopez');
    const queueCard = cardsOf(await analyst.say('pendientes'))[0]!;
    const taken = await invoke(analyst, execute(actionOf(queueCard, 'take').data));
    expect(cardText(taken.card)).toMatch(/Hecho: Tomar la orden[\s\S]*En atención de la Mesa/);
    expect((await stored()).status).toBe('desk');

    const assign = actionOf(taken.card, 'assign_engineer');
    const choices = JSON.stringify(taken.card);
    expect(choices).toContain('miguel.torres');
    const assigned = await invoke(analyst, execute({ ...assign.data, engineerId: 'miguel.torres' }));
    expect(cardText(assigned.card)).toMatch(/Turnada a ingeniero[\s\S]*Ingeniero: Miguel/);

    const engineer = chatOf('miguel.torres');
    const mine = cardsOf(await engineer.say('mis asignadas'))[0]!;
    const accepted = await invoke(engineer, execute(actionOf(mine, 'accept').data));
    expect(cardText(accepted.card)).toMatch(/En diagnóstico/);
    expect(
      executeActions(accepted.card)
        .map((a) => a.verb)
        .sort(),
    ).toEqual(['add_note', 'correct_facts', 'message_requester', 'resolve_onsite', 'turn_to_provider']);

    const resolveAction = actionOf(accepted.card, 'resolve_onsite');
    const missing = await invoke(engineer, execute(resolveAction.data));
    expect(cardText(missing.card)).toMatch(
      /Para «Documentar solución en sitio» falta: la documentación de la atención\./,
    );
    expect((await stored()).status).toBe('diagnosis');
    const resolved = await invoke(
      engineer,
      execute({ ...resolveAction.data, documentation: 'Se cambió el fusor; imprime bien.' }),
    );
    expect(cardText(resolved.card)).toMatch(/Resuelta/);

    const closed = await invoke(
      analyst,
      execute({ ...actionOf(cardsOf(await analyst.say(`estado ${order.folio}`))[0]!, 'close').data }),
    );
    expect(cardText(closed.card)).toMatch(/Cerrada/);
    expect(executeActions(closed.card)).toEqual([]);
    const final = await stored();
    expect(final.history.map((h) => h.action)).toEqual([
      'report',
      'take',
      'assign_engineer',
      'accept',
      'resolve_onsite',
      'close',
    ]);
    expect(final.history.slice(1).every((h) => h.channel === 'teams')).toBe(true);
  });

  it('lets every role act on the provider path from its own cards: contract list, provider, requester, judge, close', async () => {
    const o = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, ORDER_TEXT);
    const analyst = chatOf('ana.lopez');
    const engineer = chatOf('miguel.torres');
    const status = async (chat: Chat) => cardsOf(await chat.say(`estado ${o.folio}`))[0]!;
    const act = async (chat: Chat, verb: string, inputs: Record<string, string> = {}) => {
      const { card } = await invoke(chat, execute({ ...actionOf(await status(chat), verb).data, ...inputs }));
      return cardText(card);
    };
    expect(await act(analyst, 'assign_engineer', { engineerId: 'miguel.torres' })).toMatch(/Turnada a ingeniero/);
    expect(await act(engineer, 'accept')).toMatch(/En diagnóstico/);
    const diagnosis = await status(engineer);
    expect(actionOf(diagnosis, 'turn_to_provider').inputs).toEqual(['contractId']);
    expect(JSON.stringify(diagnosis)).toContain('"value":"CT-2026-001"');
    expect(await act(engineer, 'turn_to_provider', { contractId: 'CT-2026-001' })).toMatch(/Turnada a proveedor/);
    expect(await act(chatOf('raul.ibarra'), 'record_provider_attention')).toMatch(/Pendiente de validación/);
    const requester = chatOf('fernando.ruiz');
    expect(
      executeActions(await status(requester))
        .map((a) => a.verb)
        .sort(),
    ).toEqual(['confirm', 'reject']);
    expect(await act(requester, 'reject', { reason: 'Sigue sin imprimir' })).toMatch(/Turnada a proveedor/);
    expect(await act(chatOf('raul.ibarra'), 'record_provider_attention')).toMatch(/Pendiente de validación/);
    expect(await act(requester, 'confirm')).toMatch(/Pendiente de firma del Juez/);
    // A judge of another centre may not even read the order.
    expect(cardsOf(await chatOf('ricardo.navarro').say(`estado ${o.folio}`))).toEqual([]);
    const judge = chatOf('patricia.garcia');
    expect(await act(judge, 'refuse_signature', { reason: 'Falta el sello' })).toMatch(/Pendiente de validación/);
    expect(await act(requester, 'confirm')).toMatch(/Pendiente de firma del Juez/);
    expect(await act(judge, 'sign')).toMatch(/Validada/);
    expect(await act(chatOf('raul.ibarra'), 'document', { documentation: 'Se reemplazó la unidad fusora.' })).toMatch(
      /Resuelta/,
    );
    expect(await act(analyst, 'close')).toMatch(/Cerrada/);
    const final = (await w.store.findById(o._id))!;
    expect(final.history.map((h) => h.action)).toEqual([
      'report',
      'assign_engineer',
      'accept',
      'turn_to_provider',
      'record_provider_attention',
      'reject',
      'record_provider_attention',
      'confirm',
      'refuse_signature',
      'confirm',
      'sign',
      'document',
      'close',
    ]);
  });

  it('lets an analyst close remotely with the solution, or cancel with a reason', async () => {
    const analyst = chatOf('ana.lopez');
    for (const [verb, inputs, label] of [
      ['close_remotely', { solution: 'Se reinició la cola de impresión.' }, /Cerrada/],
      ['cancel', { reason: 'Reporte duplicado' }, /Cancelada/],
    ] as const) {
      const o = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, ORDER_TEXT);
      let card = cardsOf(await analyst.say(`estado ${o.folio}`))[0]!;
      if (verb === 'close_remotely') card = (await invoke(analyst, execute(actionOf(card, 'take').data))).card;
      expect(actionOf(card, verb).inputs).toEqual([Object.keys(inputs)[0]]);
      expect(cardText((await invoke(analyst, execute({ ...actionOf(card, verb).data, ...inputs }))).card)).toMatch(
        label,
      );
    }
  });

  it('offers the requester «Sigue fallando» on a closed order for five business days, and reopens it back to the desk', async () => {
    const analyst = chatOf('ana.lopez');
    const requester = chatOf('fernando.ruiz');
    const closeOne = async () => {
      const o = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, ORDER_TEXT);
      const card = cardsOf(await analyst.say(`estado ${o.folio}`))[0]!;
      const taken = (await invoke(analyst, execute(actionOf(card, 'take').data))).card;
      await invoke(analyst, execute({ ...actionOf(taken, 'close_remotely').data, solution: 'Se reinició la cola.' }));
      return o;
    };
    const o = await closeOne();
    const card = cardsOf(await requester.say(`estado ${o.folio}`))[0]!;
    const reopen = actionOf(card, 'reopen');
    expect(reopen.inputs).toEqual(['reason']);
    const reopened = await invoke(requester, execute({ ...reopen.data, reason: 'Otra vez no imprime.' }));
    expect(cardText(reopened.card)).toMatch(/En atención de la Mesa/);
    const after = (await w.store.findById(o._id))!;
    expect(after.history.at(-1)).toMatchObject({ action: 'reopen', to: 'desk', note: 'Otra vez no imprime.' });

    // Closed long ago: no button, and an old card's button is refused with the way forward.
    const late = await closeOne();
    const oldCard = cardsOf(await requester.say(`estado ${late.folio}`))[0]!;
    const longAgo = new Date(Date.now() - 30 * 24 * 3600_000);
    await w.tdb.db
      .collection('orders')
      .updateOne(
        { _id: late._id, 'history.action': 'close_remotely' },
        { $set: { 'timestamps.closedAt': longAgo, 'history.$.at': longAgo } },
      );
    const shown = cardsOf(await requester.say(`estado ${late.folio}`))[0]!;
    expect(executeActions(shown).map((a) => a.verb)).not.toContain('reopen');
    const refused = await invoke(requester, execute({ ...actionOf(oldCard, 'reopen').data, reason: 'Sigue igual.' }));
    expect(cardText(refused.card)).toMatch(
      /ya no puede reabrirse. Si la falla volvió, usa «Crear reporte relacionado»/,
    );
    expect((await w.store.findById(late._id))!.status).toBe('closed');
  });

  describe('refuses bad card actions with a Spanish card and changes nothing', () => {
    let fresh: ServiceOrder;
    beforeAll(async () => {
      fresh = await reportOrder({ orders: w.store, directory: w.directory, timeZone: TEST_ZONE }, ORDER_TEXT);
    });
    const id = () => fresh._id.toHexString();

    it.each([
      ['no data at all', undefined, /no trae los datos necesarios/],
      ['a missing orderId', { verb: 'take', version: 1 }, /no trae los datos necesarios/],
      ['a forged orderId', { orderId: '{"$gt":""}', verb: 'take', version: 1 }, /no trae los datos necesarios/],
      [
        'an unknown orderId',
        { orderId: new ObjectId().toHexString(), verb: 'take', version: 1 },
        /No se encontró la orden/,
      ],
      ['a forged verb', { orderId: 'ID', verb: 'set_status', version: 1 }, /no trae los datos necesarios/],
      ['a missing version', { orderId: 'ID', verb: 'take' }, /no trae los datos necesarios/],
      ['a forged version', { orderId: 'ID', verb: 'take', version: -4 }, /no trae los datos necesarios/],
      [
        'a stale version',
        { orderId: 'ID', verb: 'take', version: 7 },
        /La orden cambió: ahora está «Reportada»\. Revisa la orden como está ahora/,
      ],
      [
        'an action the state does not allow',
        { orderId: 'ID', verb: 'close', version: 1 },
        /No es posible «Cerrar la orden»/,
      ],
    ])('%s', async (_what, data, expected) => {
      const payload = data && 'orderId' in data && data.orderId === 'ID' ? { ...data, orderId: id() } : data;
      const before = await w.store.findById(fresh._id);
      const { status, card } = await invoke(
        chatOf('ana.lopez'),
        payload === undefined ? {} : execute(payload as Record<string, unknown>),
      );
      expect(status).toBe(200);
      expect(cardText(card)).toMatch(expected);
      expect(await w.store.findById(fresh._id)).toEqual(before);
    });

    it('a role that may not act (a requester taking the order)', async () => {
      const { card } = await invoke(chatOf('fernando.ruiz'), execute({ orderId: id(), verb: 'take', version: 1 }));
      expect(cardText(card)).toMatch(/No tiene permiso para «Tomar la orden»/);
      expect((await w.store.findById(fresh._id))!.version).toBe(1);
    });

    it('a person not in the directory', async () => {
      const { card } = await invoke(
        new Chat(w.newBot(), userOf(null)),
        execute({ orderId: id(), verb: 'take', version: 1 }),
      );
      expect(cardText(card)).toMatch(/No te encontré en el directorio/);
      expect((await w.store.findById(fresh._id))!.version).toBe(1);
    });
  });
});
