import type { ParsedMail } from 'mailparser';
import { acceptOrder } from '../../services/orders/accept-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import { closeOrder } from '../../services/orders/close-order';
import { reportOrder } from '../../services/orders/report-order';
import { resolveOnsite } from '../../services/orders/resolve-onsite';
import { takeOrder } from '../../services/orders/take-order';
import type { ServiceOrder } from '../../services/orders/types';
import {
  allOrders,
  ANALYST,
  DESK,
  ENGINEER,
  folderCounts,
  Harness,
  mailMatching,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  useHarness,
  waitForDesk,
} from './support/harness';

describe('reopening a closed order by mail', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  const deps = () => ({ orders: h.orders, directory: h.directory, timeZone: 'America/Mexico_City' });
  const current = async (o: ServiceOrder) => (await h.orders.findById(o._id))!;

  async function closedOrder(description: string): Promise<{ order: ServiceOrder; closure: ParsedMail }> {
    const o = await reportOrder(deps(), {
      channel: 'email',
      requesterId: 'jpena',
      centreId: 'CJPF-CDMX',
      equipment: { type: 'printer' },
      description,
    });
    const orderId = o._id.toHexString();
    await takeOrder(deps(), { orderId, actorId: 'ana', channel: 'teams' });
    await assignEngineer(deps(), { orderId, actorId: 'ana', channel: 'teams', engineerId: 'ingeniero' });
    await acceptOrder(deps(), { orderId, actorId: 'ingeniero', channel: 'teams' });
    await resolveOnsite(deps(), {
      orderId,
      actorId: 'ingeniero',
      channel: 'teams',
      documentation: 'Se limpió el rodillo.',
    });
    await closeOrder(deps(), { orderId, actorId: 'ana', channel: 'teams' });
    await h.deliverNotices();
    const closure = await mailMatching(
      h,
      REQUESTER,
      (m) => (m.subject ?? '').includes(o.folio) && (m.subject ?? '').includes('Cerrada'),
    );
    return { order: await current(o), closure };
  }

  const reply = async (closure: ParsedMail, text: string) => {
    await sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: `Re: ${closure.subject}`,
      text,
      inReplyTo: closure.messageId,
      references: [closure.messageId!],
      envelope: { from: REQUESTER.user, to: DESK.user },
    });
    await waitForDesk(h);
  };

  it('reopens the order back to the desk when the requester replies «sigue fallando» within five business days', async () => {
    const { order, closure } = await closedOrder('La impresora atasca el papel');
    expect(closure.text).toContain('Sigue fallando');
    await h.db.db
      .collection('orders')
      .updateOne({ _id: order._id }, { $set: { cedula: { code: 'ABCD-EFGH-JKLM', issuedAt: new Date() } } });
    await reply(closure, 'Sigue fallando: vuelve a atascar el papel en la bandeja 2.');
    await runPollerUntilEmpty(h);

    const after = await current(order);
    expect(after.status).toBe('desk');
    expect(after.history.at(-1)).toMatchObject({
      action: 'reopen',
      from: 'closed',
      to: 'desk',
      by: { personId: 'jpena' },
      channel: 'email',
      note: 'Sigue fallando: vuelve a atascar el papel en la bandeja 2.',
    });
    expect(after.cedula).toMatchObject({ code: 'ABCD-EFGH-JKLM', supersededAt: expect.any(Date) });
    expect((await folderCounts(h.stack)).Cuarentena).toBe(0);

    await h.deliverNotices();
    for (const who of [ANALYST, ENGINEER]) {
      const told = await mailMatching(h, who, (m) => (m.subject ?? '').includes(`Orden ${order.folio} reabierta`));
      expect(told.text).toContain('vuelve a atascar');
    }
    const answered = await mailMatching(h, REQUESTER, (m) =>
      (m.text ?? '').includes(`Reabrimos la orden ${order.folio}`),
    );
    expect(answered.inReplyTo).toBeDefined();
  }, 180_000);

  it('makes a late «sigue fallando» a new report linked to the closed order, and says why it is a new one', async () => {
    const { order, closure } = await closedOrder('No imprime a color');
    const later = new Date(order.timestamps.closedAt!.getTime() + 12 * 24 * 3600_000);
    const before = await folderCounts(h.stack);
    const ordersBefore = (await allOrders(h)).length;
    await reply(closure, 'Sigue fallando, otra vez no imprime a color.');
    await runPollerUntilEmpty(h, { deps: { now: () => later } });
    const after = await current(order);
    expect(after.status).toBe('closed');
    expect(after.version).toBe(order.version);
    const counts = await folderCounts(h.stack);
    expect(counts.Cuarentena).toBe(before.Cuarentena);
    expect(counts.Procesados).toBe(before.Procesados + 1);

    const orders = await allOrders(h);
    expect(orders).toHaveLength(ordersBefore + 1);
    const linked = orders.at(-1)!;
    expect(linked).toMatchObject({
      status: 'reported',
      relatedTo: order.folio,
      channel: 'email',
      requester: { personId: 'jpena' },
      centreId: order.centreId,
      equipment: { type: 'printer' },
    });
    expect(linked.description).toContain('otra vez no imprime a color');
    expect(linked.description).not.toContain('Cerrada');

    await h.deliverNotices();
    const receipt = await mailMatching(h, REQUESTER, (m) =>
      (m.subject ?? '').includes(`Reporte recibido, folio ${linked.folio}`),
    );
    expect(receipt.text).toContain(`Es un reporte nuevo relacionado con la orden ${order.folio}`);
    expect(receipt.text).toContain('ya no puede reabrirse');
    const analyst = await mailMatching(h, ANALYST, (m) => (m.subject ?? '').includes(`Nueva orden ${linked.folio}`));
    expect(analyst.text).toContain(`Relacionada con la orden ${order.folio}`);

    // Asked about by mail, the new order names the one it follows.
    await sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: `estado ${linked.folio}`,
      text: '¿Cómo va?',
      envelope: { from: REQUESTER.user, to: DESK.user },
    });
    await waitForDesk(h);
    await runPollerUntilEmpty(h);
    const status = await mailMatching(h, REQUESTER, (m) =>
      (m.text ?? '').includes(`La orden ${linked.folio} está en estado`),
    );
    expect(status.text).toContain(`Relacionada con la orden ${order.folio}`);
  }, 180_000);
});
