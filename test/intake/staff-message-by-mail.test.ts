import { assignEngineer } from '../../services/orders/assign-engineer';
import { messageRequester } from '../../services/orders/message-requester';
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

describe('staff writing to a requester who reported by mail (real Exim and Dovecot)', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  const deps = () => ({ orders: h.orders, directory: h.directory });
  const deliverToDesk = async () => {
    await waitForDesk(h);
    await runPollerUntilEmpty(h);
  };

  it('reaches the requester as a mail in the order’s thread, and their reply comes back onto the order, heard by whoever wrote', async () => {
    const reportId = '<reporte-monitor@cjf.example.mx>';
    await sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: 'El monitor de la oficialía parpadea',
      text: 'El monitor parpadea desde la mañana.',
      messageId: reportId,
      envelope: { from: REQUESTER.user, to: DESK.user },
    });
    await deliverToDesk();
    const order: ServiceOrder = (await allOrders(h)).at(-1)!;
    const orderId = order._id.toHexString();
    await takeOrder(deps(), { orderId, actorId: 'ana', channel: 'teams' });
    await assignEngineer(deps(), { orderId, actorId: 'ana', channel: 'teams', engineerId: 'ingeniero' });
    await h.deliverNotices();

    await messageRequester(deps(), {
      orderId,
      actorId: 'ana',
      channel: 'teams',
      message: '¿El monitor parpadea también con otra computadora conectada?',
    });
    await h.deliverNotices();

    // In the requester's own mailbox, threaded with the mail that reported it.
    const asked = await mailMatching(h, REQUESTER, (m) => (m.subject ?? '').includes('Mensaje sobre su orden'));
    expect(asked.subject).toContain(`[${order.folio}]`);
    expect(asked.text).toContain('Ana Analista le escribe sobre su orden');
    expect(asked.text).toContain('¿El monitor parpadea también con otra computadora conectada?');
    expect(asked.inReplyTo).toBe(reportId);
    expect([asked.references].flat()).toContain(reportId);

    // The requester answers from their mail client: a reply to that mail, quoting it.
    const replyId = '<respuesta-monitor@cjf.example.mx>';
    await sendMail(h.stack, {
      from: `José Peña <${REQUESTER.user}>`,
      to: DESK.user,
      subject: `Re: ${asked.subject}`,
      text: [
        'Sí, también parpadea con la laptop de mi compañero.',
        '',
        `El ${asked.date?.toISOString()} Mesa de Servicio <${DESK.user}> escribió:`,
        `> ${asked.text?.split('\n')[0]}`,
      ].join('\n'),
      messageId: replyId,
      inReplyTo: asked.messageId,
      references: [...[asked.references ?? []].flat(), asked.messageId!],
      envelope: { from: REQUESTER.user, to: DESK.user },
    });
    const before = (await allOrders(h)).length;
    await deliverToDesk();

    expect((await allOrders(h)).length).toBe(before);
    const after = (await h.orders.findById(order._id))!;
    expect(after.history.at(-1)).toMatchObject({
      action: 'comment',
      by: { personId: 'jpena' },
      channel: 'email',
      note: 'Sí, también parpadea con la laptop de mi compañero.',
    });
    expect((await folderCounts(h.stack)).Cuarentena).toBe(0);

    // The analyst who asked hears the answer, and so does the engineer working the order.
    await h.deliverNotices();
    for (const who of [ANALYST, ENGINEER]) {
      const heard = await mailMatching(h, who, (m) => (m.subject ?? '').includes(`Nuevo comentario en la orden`));
      expect(heard.text).toContain('Sí, también parpadea con la laptop de mi compañero.');
    }
  }, 180_000);
});
