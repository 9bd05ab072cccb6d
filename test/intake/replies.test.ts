import type { ServiceOrder } from '../../services/orders/types';
import { takeOrder } from '../../services/orders/take-order';
import { assignEngineer } from '../../services/orders/assign-engineer';
import {
  allOrders,
  DESK,
  ENGINEER,
  folderCounts,
  Harness,
  inboxOf,
  mailMatching,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  toValidation,
  useHarness,
  waitFor,
  waitForDesk,
} from './support/harness';
import { first, last } from '../support/present';

describe('replies by mail', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  const deps = () => ({ orders: h.orders, directory: h.directory });
  const fromRequester = (o: { subject: string; text: string; id: string; inReplyTo?: string; envelopeFrom?: string }) =>
    sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: o.subject,
      text: o.text,
      messageId: o.id,
      ...(o.inReplyTo ? { inReplyTo: o.inReplyTo, references: [o.inReplyTo] } : {}),
      envelope: { from: o.envelopeFrom ?? REQUESTER.user, to: DESK.user },
    });
  const deliver = async (count: number) => {
    await waitForDesk(h, count);
    await runPollerUntilEmpty(h);
  };
  const order = async (id: ServiceOrder['_id']) => (await h.orders.findById(id))!;

  async function newOrder(subject: string, id: string): Promise<ServiceOrder> {
    const before = (await allOrders(h)).length;
    await fromRequester({ subject, text: 'No imprime nada.', id });
    await deliver(1);
    const orders = await allOrders(h);
    expect(orders).toHaveLength(before + 1);
    return last(orders);
  }

  it('threads both ways: the requester answers by folio, the engineer answers our mail without the folio', async () => {
    const o = await newOrder('La impresora no imprime', '<r1@cjf.example.mx>');
    await takeOrder(deps(), { orderId: o._id.toHexString(), actorId: 'ana', channel: 'teams' });
    await assignEngineer(deps(), {
      orderId: o._id.toHexString(),
      actorId: 'ana',
      channel: 'teams',
      engineerId: 'ingeniero',
    });
    await h.deliverNotices();
    const assigned = first(await inboxOf(h, ENGINEER, 1));
    expect(assigned.subject).toContain(`[${o.folio}]`);

    await fromRequester({
      subject: `RE: [${o.folio}] Reporte recibido`,
      id: '<r1-reply@cjf.example.mx>',
      text: 'Ya la reinicié y sigue igual.\n\nEl lun, 2 mar 2026 a las 10:00, Mesa de Servicio escribió:\n> Registramos su reporte con el folio.\n',
    });
    await deliver(1);
    let stored = await order(o._id);
    const comment = stored.history.find((e) => e.action === 'comment')!;
    expect(comment).toMatchObject({
      channel: 'email',
      by: { personId: 'jpena' },
      note: 'Ya la reinicié y sigue igual.',
    });
    expect(stored.status).toBe('engineer_assigned');

    await h.deliverNotices();
    const told = await mailMatching(h, ENGINEER, (m) => Boolean(m.subject?.includes('Nuevo comentario')));
    expect(told.text).toContain('Ya la reinicié y sigue igual.');
    expect(told.text).not.toContain('Registramos su reporte');

    await sendMail(h.stack, {
      from: ENGINEER.user,
      to: DESK.user,
      subject: 'Re: comentario',
      messageId: '<eng-1@cjf.example.mx>',
      inReplyTo: told.messageId,
      references: [told.messageId!],
      text: 'Voy en camino con un tóner nuevo.\n\n-----Mensaje original-----\nDe: Mesa',
    });
    await deliver(1);
    stored = await order(o._id);
    expect(stored.history.filter((e) => e.action === 'comment').map((e) => e.note)).toEqual([
      'Ya la reinicié y sigue igual.',
      'Voy en camino con un tóner nuevo.',
    ]);
    await h.deliverNotices();
    const toldRequester = await mailMatching(h, REQUESTER, (m) =>
      Boolean(m.text?.includes('Voy en camino con un tóner nuevo.')),
    );
    expect(toldRequester.subject).toContain(o.folio);
  });

  it('confirms a validation when the requester answers "Sí, quedó resuelto" to the request', async () => {
    const o = await newOrder('El escáner no funciona', '<r2@cjf.example.mx>');
    await toValidation(h, o);
    await h.deliverNotices();
    const request = await mailMatching(h, REQUESTER, (m) =>
      Boolean(m.subject?.includes('Valide la atención') && m.subject.includes(o.folio)),
    );
    await fromRequester({
      subject: `Re: ${request.subject}`.replace(`[${o.folio}] `, ''),
      id: '<r2-yes@cjf.example.mx>',
      inReplyTo: request.messageId,
      text: '¡Sí, quedó resuelto! Gracias.\n\nEnviado desde mi iPhone',
    });
    await deliver(1);
    const stored = await order(o._id);
    expect(stored.status).toBe('signature');
    expect(stored.validation).toMatchObject({ channel: 'email', confirmedBy: { personId: 'jpena' } });
  });

  it('rejects a validation with the reason when the requester answers "No funciona todavía"', async () => {
    const o = await newOrder('La impresora atasca hojas', '<r3@cjf.example.mx>');
    await toValidation(h, o);
    await fromRequester({
      subject: `RE: [${o.folio}] Valide la atención`,
      id: '<r3-no@cjf.example.mx>',
      text: 'No funciona todavía, sigue atascando las hojas.',
    });
    await deliver(1);
    const stored = await order(o._id);
    expect(stored.status).toBe('provider');
    expect(stored.history[stored.history.length - 1]).toMatchObject({
      action: 'reject',
      channel: 'email',
      note: 'No funciona todavía, sigue atascando las hojas.',
    });
  });

  it('holds a "sí" that fails DMARC for the requester\'s domain and never confirms with it', async () => {
    const o = await newOrder('El teléfono no da tono', '<r4@cjf.example.mx>');
    await toValidation(h, o);
    await fromRequester({
      subject: `RE: [${o.folio}] Valide la atención`,
      id: '<r4-spoof@cjf.example.mx>',
      text: 'Sí, quedó resuelto.',
      envelopeFrom: 'fulano@externo.example.org',
    });
    await deliver(1);
    expect((await order(o._id)).status).toBe('validation');
    expect(await h.store.logged('mid:<r4-spoof@cjf.example.mx>')).toMatchObject({
      folder: 'quarantine',
      reason: expect.stringMatching(/DMARC failed/),
    });
  });

  it('holds a validation answer whose sender only has no DMARC result when authentication is required to pass', async () => {
    const o = await newOrder('El proyector no enciende', '<r5@cjf.example.mx>');
    await toValidation(h, o);
    await fromRequester({
      subject: `RE: [${o.folio}] Valide la atención`,
      id: '<r5-yes@cjf.example.mx>',
      text: 'Sí, ya funciona.',
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX >= 1);
    await runPollerUntilEmpty(h, { auth: { mode: 'received', authservId: 'mx.cjf.example.mx' } });
    expect((await order(o._id)).status).toBe('validation');
    expect(await h.store.logged('mid:<r5-yes@cjf.example.mx>')).toMatchObject({
      folder: 'quarantine',
      reason: expect.stringMatching(/authentication/),
    });
  });
});
