import { acceptOrder } from '../../services/orders/accept-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import { closeRemotely } from '../../services/orders/close-remotely';
import { confirmValidation } from '../../services/orders/confirm-validation';
import { recordProviderAttention } from '../../services/orders/record-provider-attention';
import { refuseSignature } from '../../services/orders/refuse-signature';
import { rejectValidation } from '../../services/orders/reject-validation';
import { reportOrder } from '../../services/orders/report-order';
import { signOrder } from '../../services/orders/sign-order';
import { takeOrder } from '../../services/orders/take-order';
import { turnToProvider } from '../../services/orders/turn-to-provider';
import type { ServiceOrder } from '../../services/orders/types';
import { orderServices, TEST_ZONE } from '../support/order-services';
import { Card, cardText } from './support/cards';
import { claimedNotification, PRINTER_REPORT, useHttpBotWorld } from './support/http-suite';
import { cardsIn, HttpBotWorld } from './support/http-world';

const REPORT = { ...PRINTER_REPORT, contact: { extension: '5110' } };

const openUrls = (card: Card) =>
  ((card.actions as Card[] | undefined) ?? [])
    .filter((a) => a.type === 'Action.OpenUrl')
    .map((a) => ({ title: a.title, url: a.url }));

describe('cards and Teams notices carry what each reader needs (real HTTP, CloudAdapter)', () => {
  let w: HttpBotWorld;
  const deps = () => orderServices(w.store, w.directory);
  const by = (order: ServiceOrder, actorId: string) => ({
    orderId: order._id.toHexString(),
    actorId,
    channel: 'teams' as const,
  });
  const statusCard = async (personId: string, folio: string) =>
    cardsIn(await w.chat(personId).say(`estado ${folio}`))[0]!;
  /** Delivers every notice the order's last change queued through the Teams channel; texts by person. */
  async function deliver(order: ServiceOrder): Promise<Map<string, string>> {
    const current = (await w.store.findById(order._id))!;
    const told = new Map<string, string>();
    for (const n of current.outbox.filter((x) => x.id.includes(`:${current.version}:`) && x.recipient.personId)) {
      const before = w.connector.posts.length;
      if (!(await w.channel.canReach(n.recipient))) continue;
      await w.channel.send(claimedNotification(current, n), current);
      const post = w.connector.posts.slice(before)[0]!;
      told.set(n.recipient.personId!, post.body.text ?? '');
      const card = post.body.attachments?.[0]?.content;
      if (card) expect(cardText(card)).not.toContain(post.body.text!);
    }
    return told;
  }

  useHttpBotWorld(async (opened) => {
    w = opened;
    // Everyone has chatted with the bot once: their Teams conversation is known.
    for (const p of ['fernando.ruiz', 'ana.lopez', 'carlos.ramirez', 'miguel.torres', 'patricia.garcia'])
      await w.chat(p).say('ayuda');
  });

  it('shows the analyst and the engineer how to reach the requester, and not the requester', async () => {
    const order = await reportOrder({ ...deps(), timeZone: TEST_ZONE }, REPORT);
    await assignEngineer(deps(), { ...by(order, 'ana.lopez'), engineerId: 'miguel.torres' });
    for (const staff of ['ana.lopez', 'miguel.torres']) {
      const card = await statusCard(staff, order.folio);
      expect(cardText(card)).toContain('Contacto: Ext. 5110 · fernando.ruiz@cjf.example.mx');
      expect(openUrls(card)).toEqual([
        {
          title: 'Chatear con el solicitante',
          url: 'https://teams.microsoft.com/l/chat/0/0?users=fernando.ruiz%40cjf.example.mx',
        },
      ]);
    }
    const own = await statusCard('fernando.ruiz', order.folio);
    expect(cardText(own)).not.toContain('Contacto:');
    expect(openUrls(own)).toEqual([]);
  });

  it('carries the remote solution and a rejection reason in the Teams sentence, as mail does', async () => {
    const remote = await reportOrder({ ...deps(), timeZone: TEST_ZONE }, REPORT);
    await takeOrder(deps(), by(remote, 'ana.lopez'));
    const closed = await closeRemotely(deps(), {
      ...by(remote, 'ana.lopez'),
      solution: 'Se reinició la cola de impresión',
    });
    expect((await deliver(closed)).get('fernando.ruiz')).toBe(
      `La orden ${remote.folio} cambió a «Cerrada». Solución: Se reinició la cola de impresión`,
    );

    const o = await reportOrder({ ...deps(), timeZone: TEST_ZONE }, REPORT);
    await assignEngineer(deps(), { ...by(o, 'ana.lopez'), engineerId: 'miguel.torres' });
    await acceptOrder(deps(), by(o, 'miguel.torres'));
    await turnToProvider(deps(), { ...by(o, 'miguel.torres'), contractId: 'CT-2026-001' });
    await recordProviderAttention(deps(), by(o, 'miguel.torres'));
    const rejected = await rejectValidation(deps(), { ...by(o, 'fernando.ruiz'), reason: 'Sigue atorando el papel' });
    expect((await deliver(rejected)).get('miguel.torres')).toBe(
      `El solicitante rechazó la atención de la orden ${o.folio}. Motivo: Sigue atorando el papel`,
    );
  });

  it('shows the judge what they sign, tells the analysts the judge signed, and routes a refused signature with its reason', async () => {
    const o = await reportOrder({ ...deps(), timeZone: TEST_ZONE }, REPORT);
    await assignEngineer(deps(), { ...by(o, 'ana.lopez'), engineerId: 'miguel.torres' });
    await acceptOrder(deps(), by(o, 'miguel.torres'));
    await turnToProvider(deps(), { ...by(o, 'miguel.torres'), contractId: 'CT-2026-001' });
    await recordProviderAttention(deps(), { ...by(o, 'miguel.torres'), note: 'Se cambió la unidad fusora' });
    await confirmValidation(deps(), by(o, 'fernando.ruiz'));

    const judgeCard = cardText(await statusCard('patricia.garcia', o.folio));
    expect(judgeCard).toMatch(
      /Lo que firma[\s\S]*Atendió: Tecnoservicios[\s\S]*Atención registrada: [\s\S]*Qué se hizo: Se cambió la unidad fusora[\s\S]*Validó: Fernando Ruiz Delgado, /,
    );
    expect(cardText(await statusCard('ana.lopez', o.folio))).not.toContain('Lo que firma');

    const refused = await refuseSignature(deps(), { ...by(o, 'patricia.garcia'), reason: 'Falta el sello del área' });
    const told = await deliver(refused);
    expect(told.get('fernando.ruiz')).toBe(
      `El Juez Administrador no firmó la validación de la orden ${o.folio}. Motivo: Falta el sello del área ¿Quedó resuelta la falla?`,
    );
    for (const staff of ['miguel.torres', 'ana.lopez', 'carlos.ramirez'])
      expect(told.get(staff)).toBe(
        `El Juez Administrador no firmó la validación de la orden ${o.folio}. Motivo: Falta el sello del área`,
      );

    const confirmed = await confirmValidation(deps(), by(o, 'fernando.ruiz'));
    const signed = await signOrder(deps(), { ...by(o, 'patricia.garcia'), expectedVersion: confirmed.version });
    const afterSign = await deliver(signed);
    expect(afterSign.get('ana.lopez')).toMatch(
      /^El Juez Administrador Patricia .* firmó y selló la validación de la orden/,
    );
    expect(afterSign.get('ana.lopez')).not.toMatch(/validada por el solicitante/);
  });
});
