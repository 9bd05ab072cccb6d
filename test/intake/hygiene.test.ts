import {
  allOrders,
  appendRaw,
  DESK,
  folderCounts,
  Harness,
  inboxOf,
  mailedPrinterOrder,
  mailsIn,
  OUTSIDER,
  rawMail,
  REQUESTER,
  runPollerUntilEmpty,
  sendMail,
  useHarness,
  waitFor,
} from './support/harness';
import { first, present } from '../support/present';

const mime = (boundary: string, type: string) => ['MIME-Version: 1.0', `Content-Type: ${type}; boundary="${boundary}"`];

describe('mail hygiene', () => {
  let h: Harness;
  let folio = '';
  let ackRef = '';
  let ackHeaders = '';

  useHarness(async (started) => {
    h = started;
    folio = await mailedPrinterOrder(h);
    await h.deliverNotices();
    // Exim delivers after it accepts: wait for the receipt to be in the mailbox.
    const ack = first(
      await waitFor('the receipt in the requester’s mailbox', async () => {
        const mails = await mailsIn(h.stack, REQUESTER);
        return mails.length > 0 && mails;
      }),
    );
    ackHeaders = first(ack.toString('utf8').split(/\r?\n\r?\n/));
    ackRef = present(/^X-CJPF-Mesa-Ref: (\S+)/im.exec(ackHeaders)?.[1], 'a reference header');
  });

  async function expectIgnored(sources: string[]): Promise<void> {
    const orders = (await allOrders(h)).length;
    const sentBefore = await h.db.db.collection('notifications').countDocuments();
    const processedBefore = (await folderCounts(h.stack)).Procesados;
    await appendRaw(h.stack, sources);
    const poller = await runPollerUntilEmpty(h);
    expect(poller.stats()).toMatchObject({ automated: sources.length, processed: 0, quarantined: 0 });
    expect(await allOrders(h)).toHaveLength(orders);
    const order = (await h.orders.findByFolio(folio))!;
    expect(order.history.filter((e) => e.action === 'comment')).toHaveLength(0);
    await h.deliverNotices();
    expect(await h.db.db.collection('notifications').countDocuments()).toBe(sentBefore);
    expect((await folderCounts(h.stack)).Procesados).toBe(processedBefore + sources.length);
  }

  it('files out-of-office answers in the Exchange, Outlook, Gmail and Spanish shapes without a word', async () => {
    await expectIgnored([
      rawMail({
        from: 'José Peña <jose.pena@cjf.example.mx>',
        subject: `Automatic reply: [${folio}] Reporte recibido`,
        id: '<oof-1@cjf.example.mx>',
        headers: [
          'Auto-Submitted: auto-generated',
          'X-Auto-Response-Suppress: All',
          `X-MS-Exchange-Inbox-Rules-Loop: ${REQUESTER.user}`,
          'Content-Type: text/plain; charset="us-ascii"',
        ],
        body: 'I am out of the office until Monday with limited access to email.',
      }),
      rawMail({
        from: 'José Peña <jose.pena@cjf.example.mx>',
        subject: `Respuesta automática: [${folio}] Reporte recibido`,
        id: '<oof-2@cjf.example.mx>',
        headers: [
          'Auto-Submitted: auto-replied',
          'X-Auto-Response-Suppress: All',
          'Thread-Topic: Reporte recibido',
          'Content-Type: text/plain; charset="iso-8859-1"',
          'Content-Transfer-Encoding: quoted-printable',
        ],
        body: 'Estar=E9 fuera de la oficina hasta el lunes 9 de marzo. Para asuntos urgentes comun=EDquese a la extensi=F3n 1200.',
      }),
      rawMail({
        from: REQUESTER.user,
        subject: 'Fuera de la oficina',
        id: '<oof-3@cjf.example.mx>',
        body: 'Me encuentro de vacaciones.',
      }),
      rawMail({
        from: REQUESTER.user,
        subject: `Re: [${folio}] Reporte recibido`,
        id: '<oof-4@cjf.example.mx>',
        headers: ['Auto-Submitted: auto-replied', 'Precedence: bulk', 'Content-Type: text/plain; charset=utf-8'],
        body: 'Gracias por su correo; respondo a mi regreso.',
      }),
      rawMail({
        from: REQUESTER.user,
        subject: 'Ausencia: La impresora',
        id: '<oof-5@cjf.example.mx>',
        headers: ['X-Autoreply: yes', 'Content-Type: text/plain; charset=utf-8'],
        body: 'Ausente.',
      }),
    ]);
  });

  it('files bounces (multipart/report from Exim and Exchange, and plain text) and marks our bounced notice failed', async () => {
    const eximReport = rawMail({
      from: 'Mail Delivery System <Mailer-Daemon@mx.cjf.example.mx>',
      subject: 'Mail delivery failed: returning message to sender',
      id: '<bounce-1@mx.cjf.example.mx>',
      envelopeFrom: '',
      headers: ['Auto-Submitted: auto-replied', ...mime('NDR1', 'multipart/report; report-type=delivery-status')],
      body: [
        '--NDR1',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'This message was created automatically by mail delivery software.',
        'A message that you sent could not be delivered to one or more of its recipients.',
        '',
        '--NDR1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.cjf.example.mx',
        '',
        'Action: failed',
        'Final-Recipient: rfc822;jose.pena@cjf.example.mx',
        'Status: 5.1.1',
        '',
        '--NDR1',
        'Content-Type: text/rfc822-headers',
        '',
        ackHeaders,
        '',
        '--NDR1--',
      ].join('\n'),
    });
    const exchangeNdr = rawMail({
      from: 'Microsoft Outlook <postmaster@cjf.example.mx>',
      subject: `No se puede entregar: [${folio}] Reporte recibido`,
      id: '<bounce-2@cjf.example.mx>',
      envelopeFrom: '',
      headers: mime('NDR2', 'multipart/report; report-type=delivery-status'),
      body: [
        '--NDR2',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'No se pudo entregar el mensaje a jose.pena@cjf.example.mx.',
        '',
        '--NDR2',
        'Content-Type: message/delivery-status',
        '',
        'Action: failed',
        'Status: 5.4.1',
        '',
        '--NDR2--',
      ].join('\n'),
    });
    const qmail = rawMail({
      from: 'MAILER-DAEMON@correo.example.net',
      subject: 'failure notice',
      id: '<bounce-3@correo.example.net>',
      envelopeFrom: '',
      body: "Hi. This is the qmail-send program at correo.example.net.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<jose.pena@cjf.example.mx>:\n550 5.1.1 user unknown",
    });
    await expectIgnored([eximReport, exchangeNdr, qmail]);
    const notice = await h.db.db
      .collection<{ _id: string; state: string; reason?: string }>('notifications')
      .findOne({ _id: ackRef });
    expect(notice).toMatchObject({ state: 'failed', reason: expect.stringMatching(/bounced/) });
  });

  it('never acts on mail from our own address or carrying our header', async () => {
    await expectIgnored([
      rawMail({ from: DESK.user, subject: 'Prueba interna', id: '<own-1@cjf.example.mx>', body: 'Hola.' }),
      rawMail({
        from: REQUESTER.user,
        subject: `Fwd: [${folio}] Reporte recibido`,
        id: '<own-2@cjf.example.mx>',
        headers: ['X-CJPF-Mesa-Ref: abc', 'Content-Type: text/plain; charset=utf-8'],
        body: 'reenviado',
      }),
    ]);
  });

  it('answers a sender outside the allowed domains once, politely, and keeps the mails in Rechazados', async () => {
    for (const n of [1, 2]) {
      await sendMail(h.stack, {
        from: OUTSIDER.user,
        to: DESK.user,
        subject: `Cotización ${n}`,
        text: 'Buenas tardes, ofrecemos servicios.',
        messageId: `<out-${n}@externo.example.org>`,
      });
    }
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 2);
    const orders = (await allOrders(h)).length;
    const poller = await runPollerUntilEmpty(h);
    expect(poller.stats().refused).toBe(2);
    expect((await folderCounts(h.stack)).Rechazados).toBe(2);
    expect(await allOrders(h)).toHaveLength(orders);
    const answer = first(await inboxOf(h, OUTSIDER, 1));
    expect(answer.subject).toBe('Re: Cotización 1');
    expect(answer.text).toContain('Mesa de Servicio');
    expect(answer.headers.get('auto-submitted')).toBe('auto-replied');
    expect(answer.headers.get('x-auto-response-suppress')).toBe('All');
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailsIn(h.stack, OUTSIDER)).toHaveLength(1);
  });

  it('holds a flood from one sender beyond the hourly cap', async () => {
    const orders = (await allOrders(h)).length;
    await appendRaw(
      h.stack,
      Array.from({ length: 8 }, (_, i) =>
        rawMail({
          from: 'ingeniero@cjf.example.mx',
          subject: `Falla ${i}`,
          id: `<flood-${i}@cjf.example.mx>`,
          body: `Falla ${i}`,
        }),
      ),
    );
    const poller = await runPollerUntilEmpty(h, { rules: { maxPerSenderPerHour: 5 } });
    expect(poller.stats()).toMatchObject({ processed: 5, quarantined: 3 });
    expect(await allOrders(h)).toHaveLength(orders + 5);
    expect(await h.store.log.countDocuments({ reason: /more than 5 mails this hour/ })).toBe(3);
  });
});
