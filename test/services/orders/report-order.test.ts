import { reportOrder } from '../../../services/orders/report-order';
import { openWorld, P, reportInput, World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

const heard = (o: { outbox: { event: string; recipient: { personId?: string; email?: string } }[] }) =>
  o.outbox.map((n) => `${n.event}>${n.recipient.personId ?? n.recipient.email}`).sort();

describe('reportOrder', () => {
  it('creates a reported order with a folio, the requester snapshot and its notices when a requester reports in Teams', async () => {
    const order = await reportOrder(w.deps, reportInput());
    const stored = (await w.orders.findById(order._id))!;
    expect(stored).toEqual(order);
    expect(stored.folio).toMatch(/^OS-\d{4}-\d{6}$/);
    expect(stored).toMatchObject({
      status: 'reported',
      version: 1,
      centreId: 'CJPF-CDMX',
      channel: 'teams',
      priority: 'high',
      requester: { personId: P.requester, name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
    });
    expect(stored.history).toEqual([
      expect.objectContaining({
        action: 'report',
        to: 'reported',
        role: 'requester',
        by: expect.objectContaining({ personId: P.requester }),
      }),
    ]);
    // The chat's reply gave the folio; only a mailed report is receipted by notice.
    expect(heard(stored)).toEqual(['new_order>ana.lopez', 'new_order>carlos.ramirez']);
    const mailed = await reportOrder(w.deps, reportInput({ channel: 'email' }));
    expect(heard(mailed)).toEqual(['new_order>ana.lopez', 'new_order>carlos.ramirez', 'order_reported>fernando.ruiz']);
  });

  it('records the analyst as reporter and spares them the new-order notice when an analyst registers a phone call', async () => {
    const order = await reportOrder(w.deps, reportInput({ channel: 'phone', actorId: P.analyst }));
    expect(order.requester.personId).toBe(P.requester);
    expect(order.history[0]).toMatchObject({ by: { personId: P.analyst }, role: 'analyst', channel: 'phone' });
    expect(heard(order)).toEqual(['new_order>carlos.ramirez', 'order_reported>fernando.ruiz']);
  });

  it('refuses a phone report registered by someone who is not an analyst', async () => {
    await expect(reportOrder(w.deps, reportInput({ channel: 'phone', actorId: P.engineer }))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('refuses a Teams report made on behalf of somebody else', async () => {
    await expect(reportOrder(w.deps, reportInput({ actorId: P.otherRequester }))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('keeps an unknown requester as given and flags them unverified', async () => {
    const order = await reportOrder(
      w.deps,
      reportInput({
        channel: 'email',
        actorId: undefined,
        requesterId: undefined,
        centreId: 'CJPF-QROO-CUN',
        unknownRequester: { name: 'Karla Poot Ek', email: 'Karla.Poot@cjf.example.mx' },
      }),
    );
    expect(order.requester).toEqual({ name: 'Karla Poot Ek', email: 'karla.poot@cjf.example.mx', unverified: true });
    expect(heard(order)).toContain('order_reported>karla.poot@cjf.example.mx');
  });

  it.each([
    ['description', { description: 'x' }],
    ['description', { description: 'a'.repeat(5001) }],
    ['equipment.type', { equipment: { type: 'toaster' } }],
    ['priority', { priority: 'urgentísima' }],
    ['requesterId', { requesterId: undefined }],
    ['channel', { channel: 'fax' }],
    ['centreId', { centreId: 'CJPF-BC-TIJ' }],
    ['requesterId', { requesterId: 'nadie', actorId: undefined }],
    [
      'centreId',
      {
        requesterId: undefined,
        actorId: undefined,
        centreId: 'CJPF-NOPE',
        unknownRequester: { name: 'Alguien Más', email: 'a@b.mx' },
      },
    ],
    ['entrada', { roles: ['analyst'] }],
  ])('refuses as VALIDATION naming %s and stores nothing', async (field, over) => {
    const before = await w.t.db.collection('orders').countDocuments();
    const attempt = reportOrder(w.deps, reportInput(over as never));
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringContaining(field));
    expect(await w.t.db.collection('orders').countDocuments()).toBe(before);
  });

  it("numbers the folio by the year in Mexico City, not in UTC, on New Year's Eve", async () => {
    const newYearsEve = new Date('2026-01-01T05:30:00Z'); // 23:30 on 31 Dec 2025 in Mexico City
    const order = await reportOrder({ ...w.deps, now: () => newYearsEve }, reportInput());
    expect(order.folio).toMatch(/^OS-2025-\d{6}$/);
    expect(order.createdAt).toEqual(newYearsEve);
  });

  it("defaults the centre to the requester's only centre and proposes the priority from the equipment and its place", async () => {
    const courtroom = await reportOrder(w.deps, reportInput({ centreId: undefined, priority: undefined }));
    expect(courtroom).toMatchObject({
      centreId: 'CJPF-CDMX',
      priority: 'high',
      priorityBasis: { source: 'intake_rule', impact: 'high', urgency: 'medium' },
    });
    const office = await reportOrder(
      w.deps,
      reportInput({ priority: undefined, equipment: { type: 'computer', location: 'Oficialía de partes' } }),
    );
    expect(office).toMatchObject({ priority: 'medium', priorityBasis: { source: 'intake_rule' } });
  });

  it("makes a courtroom's recording equipment critical when the report says a hearing is under way", async () => {
    const order = await reportOrder(
      w.deps,
      reportInput({
        priority: undefined,
        equipment: { type: 'audio_video', location: 'Sala de audiencias 3' },
        description: 'No graba el audio y estamos en audiencia en este momento.',
      }),
    );
    expect(order).toMatchObject({
      priority: 'critical',
      priorityBasis: { source: 'intake_rule', impact: 'high', urgency: 'high' },
    });
  });

  it('keeps the priority a reporter gave, outright or as impact and urgency', async () => {
    expect(await reportOrder(w.deps, reportInput({ priority: 'low' }))).toMatchObject({
      priority: 'low',
      priorityBasis: { source: 'reporter' },
    });
    expect(
      await reportOrder(w.deps, reportInput({ priority: undefined, impact: 'low', urgency: 'high' })),
    ).toMatchObject({ priority: 'medium', priorityBasis: { source: 'reporter', impact: 'low', urgency: 'high' } });
  });
});

describe('reportOrder by phone', () => {
  it('records the phone the caller gave', async () => {
    const order = await reportOrder(
      w.deps,
      reportInput({ channel: 'phone', actorId: P.analyst, contact: { phone: '55 1234 5678' } }),
    );
    expect(order.contact).toEqual({ phone: '55 1234 5678' });
  });

  it('records the directory extension of a known caller who gave no number', async () => {
    const order = await reportOrder(w.deps, reportInput({ channel: 'phone', actorId: P.analyst }));
    expect(order.contact).toEqual({ extension: '5110' });
  });

  it('accepts a caller not in the directory who leaves an email, and receipts them by mail', async () => {
    const order = await reportOrder(
      w.deps,
      reportInput({
        channel: 'phone',
        actorId: P.analyst,
        requesterId: undefined,
        centreId: 'CJPF-CDMX',
        unknownRequester: { name: 'Javier Ku Pech', email: 'javier.ku@proveedor-externo.mx' },
        contact: { phone: '9981234567' },
      }),
    );
    expect(order.requester).toEqual({
      name: 'Javier Ku Pech',
      email: 'javier.ku@proveedor-externo.mx',
      unverified: true,
    });
    expect(order.contact).toEqual({ phone: '9981234567', email: 'javier.ku@proveedor-externo.mx' });
    expect(heard(order)).toContain('order_reported>javier.ku@proveedor-externo.mx');
  });

  it('accepts a caller not in the directory who leaves only a phone, and sends them nothing', async () => {
    const order = await reportOrder(
      w.deps,
      reportInput({
        channel: 'phone',
        actorId: P.analyst,
        requesterId: undefined,
        centreId: 'CJPF-CDMX',
        unknownRequester: { name: 'Javier Ku Pech' },
        contact: { extension: '5999' },
      }),
    );
    expect(order.requester).toEqual({ name: 'Javier Ku Pech', unverified: true });
    expect(heard(order)).toEqual(['new_order>carlos.ramirez']);
  });

  it('refuses, in Spanish and storing nothing, an unknown caller with no phone or extension', async () => {
    const before = await w.t.db.collection('orders').countDocuments();
    const attempt = reportOrder(
      w.deps,
      reportInput({
        channel: 'phone',
        actorId: P.analyst,
        requesterId: undefined,
        centreId: 'CJPF-CDMX',
        unknownRequester: { name: 'Javier Ku Pech' },
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: expect.stringContaining('teléfono o la extensión'),
    });
    expect(await w.t.db.collection('orders').countDocuments()).toBe(before);
  });

  it('still asks a mailed or chat report from someone unknown for their email', async () => {
    const attempt = reportOrder(
      w.deps,
      reportInput({
        channel: 'email',
        actorId: undefined,
        requesterId: undefined,
        centreId: 'CJPF-CDMX',
        unknownRequester: { name: 'Javier Ku Pech' },
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: expect.stringContaining('unknownRequester.email'),
    });
  });
});
