import { simpleParser } from 'mailparser';
import {
  allOrders,
  appendRaw,
  DESK,
  folderCounts,
  Harness,
  mailsIn,
  rawMail,
  REQUESTER,
  sendMail,
  useHarness,
  waitFor,
} from './support/harness';
import { first } from '../support/present';

describe('mail poller', () => {
  let h: Harness;
  useHarness((started) => {
    h = started;
  });

  it('turns a new mail from a directory person into an order, moves it only after, and acknowledges with the folio', async () => {
    await sendMail(h.stack, {
      from: 'José Peña <jose.pena@cjf.example.mx>',
      to: DESK.user,
      messageId: '<nuevo-1@cjf.example.mx>',
      subject: 'La impresora de la sala 3 no enciende',
      text: 'Buenos días:\nLa impresora no enciende desde ayer.\n\n--\nJosé Peña\nExt. 1234\n',
    });
    await waitFor('delivery', async () => (await folderCounts(h.stack)).INBOX === 1);
    const poller = h.poller();
    poller.start();
    try {
      await waitFor('processed', async () => (await folderCounts(h.stack)).Procesados === 1);
    } finally {
      await poller.stop();
    }
    const order = first(await allOrders(h), 'the order');
    expect(order).toMatchObject({
      channel: 'email',
      status: 'reported',
      centreId: 'CJPF-CDMX',
      requester: { personId: 'jpena' },
      equipment: { type: 'printer' },
    });
    expect(order.description).toContain('La impresora no enciende desde ayer.');
    expect(order.description).not.toContain('Ext. 1234');
    expect(poller.stats()).toMatchObject({ processed: 1, quarantined: 0 });
    expect(await h.store.logged('mid:<nuevo-1@cjf.example.mx>')).toMatchObject({
      outcome: 'order_created',
      folder: 'processed',
    });

    await h.deliverNotices();
    const acks = await waitFor('acknowledgement', async () => {
      const mails = await mailsIn(h.stack, REQUESTER);
      return mails.length === 1 && mails;
    });
    const ack = await simpleParser(first(acks));
    expect(ack.subject).toContain(`[${order.folio}]`);
    expect(ack.text).toContain(order.folio);
    expect(ack.html).toContain(order.folio);
    expect(ack.headers.get('auto-submitted')).toBe('auto-replied'); // it answers the requester's mail (RFC 3834)
    expect(ack.inReplyTo).toBe('<nuevo-1@cjf.example.mx>');
    expect(ack.headers.get('x-cjpf-mesa-ref')).toBeDefined();
  });

  it('never makes a second order from a second copy of one Message-ID', async () => {
    const copy = rawMail({
      from: REQUESTER.user,
      subject: 'La impresora de la sala 3 no enciende',
      id: '<nuevo-1@cjf.example.mx>',
      body: 'copia',
    });
    await appendRaw(h.stack, [copy]);
    const poller = h.poller();
    poller.start();
    try {
      await waitFor('copy moved', async () => (await folderCounts(h.stack)).INBOX === 0);
    } finally {
      await poller.stop();
    }
    expect(await allOrders(h)).toHaveLength(1);
    expect(poller.stats().duplicates).toBe(1);
  });

  it('moves a mail that cannot be used to Cuarentena with the reason and goes on with the next', async () => {
    await appendRaw(h.stack, [
      Buffer.from('\u0000\u00ff\u00fe garbage without any header\r\n\r\n\u0000'),
      rawMail({
        from: REQUESTER.user,
        subject: 'El monitor parpadea',
        id: '<after-poison@cjf.example.mx>',
        body: 'El monitor parpadea.',
      }),
    ]);
    const poller = h.poller();
    poller.start();
    try {
      await waitFor('both moved', async () => (await folderCounts(h.stack)).INBOX === 0);
    } finally {
      await poller.stop();
    }
    const counts = await folderCounts(h.stack);
    expect(counts.Cuarentena).toBe(1);
    const held = await h.store.log.find({ folder: 'quarantine' }).toArray();
    expect(held).toHaveLength(1);
    expect(first(held).reason).toMatch(/no sender/);
    expect((await allOrders(h)).map((o) => o.description)).toEqual(
      expect.arrayContaining([expect.stringContaining('El monitor parpadea')]),
    );
  });

  it('lets only one of two pollers work the mailbox at a time, and makes no duplicates', async () => {
    const before = (await allOrders(h)).length;
    await appendRaw(
      h.stack,
      Array.from({ length: 60 }, (_, i) =>
        rawMail({
          from: REQUESTER.user,
          subject: `Falla número ${i}`,
          id: `<dos-${i}@cjf.example.mx>`,
          body: `Falla ${i}.`,
        }),
      ),
    );
    // A lease long enough that a slow batch on a busy machine does not hand the mailbox over
    // mid-run (a takeover is allowed, but this test is about exclusion while the lease holds).
    const options = { batchSize: 10, leaseMs: 30_000, rules: { maxPerSenderPerHour: 1000 } };
    const a = h.poller(options);
    const b = h.poller(options);
    a.start();
    b.start();
    try {
      await waitFor('all moved', async () => (await folderCounts(h.stack)).INBOX === 0, 30000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const orders = await allOrders(h);
    expect(orders).toHaveLength(before + 60);
    expect(new Set(orders.map((o) => o.folio)).size).toBe(orders.length);
    expect(a.stats().processed + b.stats().processed).toBe(60);
    expect(Math.min(a.stats().processed, b.stats().processed)).toBe(0);
  });
  it('stops within a batch, leaving the mails it did not handle for the next start, with no duplicates', async () => {
    const before = (await allOrders(h)).length;
    await appendRaw(
      h.stack,
      Array.from({ length: 40 }, (_, i) =>
        rawMail({
          from: REQUESTER.user,
          subject: `Pantalla ${i} sin imagen`,
          id: `<alto-${i}@cjf.example.mx>`,
          body: `La pantalla ${i} no muestra imagen.`,
        }),
      ),
    );
    const options = { batchSize: 40, concurrency: 1, rules: { maxPerSenderPerHour: 1000 } };
    const first = h.poller(options);
    first.start();
    try {
      await waitFor('a first mail handled', async () => first.stats().processed > 0, 30000);
    } finally {
      await first.stop();
    }
    // One mail at a time: a stop that waited for the whole batch would have handled all 40.
    expect(first.stats().processed).toBeLessThan(40);
    expect((await folderCounts(h.stack)).INBOX).toBeGreaterThan(0);

    const second = h.poller(options);
    second.start();
    try {
      await waitFor('all moved', async () => (await folderCounts(h.stack)).INBOX === 0, 60000);
    } finally {
      await second.stop();
    }
    const orders = await allOrders(h);
    expect(orders).toHaveLength(before + 40);
    expect(new Set(orders.map((o) => o.folio)).size).toBe(orders.length);
    expect(first.stats().processed + second.stats().processed).toBe(40);
  });
});
