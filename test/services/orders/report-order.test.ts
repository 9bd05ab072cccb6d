import { reportOrder } from '../../../services/orders/report-order';
import { openWorld, P, reportInput, World } from './world';

let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w.t.close(); });

const heard = (o: { outbox: { event: string; recipient: { personId?: string; email?: string } }[] }) =>
  o.outbox.map((n) => `${n.event}>${n.recipient.personId ?? n.recipient.email}`).sort();

describe('reportOrder', () => {
  it('creates a reported order with a folio, the requester snapshot and its notices when a requester reports in Teams', async () => {
    const order = await reportOrder(w.deps, reportInput());
    const stored = (await w.orders.findById(order._id))!;
    expect(stored).toEqual(order);
    expect(stored.folio).toMatch(/^OS-\d{4}-\d{6}$/);
    expect(stored).toMatchObject({
      status: 'reported', version: 1, centreId: 'CJPF-CDMX', channel: 'teams', priority: 'high',
      requester: { personId: P.requester, name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
    });
    expect(stored.history).toEqual([expect.objectContaining({ action: 'report', to: 'reported', role: 'requester', by: expect.objectContaining({ personId: P.requester }) })]);
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
    await expect(reportOrder(w.deps, reportInput({ channel: 'phone', actorId: P.engineer }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a Teams report made on behalf of somebody else', async () => {
    await expect(reportOrder(w.deps, reportInput({ actorId: P.otherRequester }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps an unknown requester as given and flags them unverified', async () => {
    const order = await reportOrder(w.deps, reportInput({
      channel: 'email', actorId: undefined, requesterId: undefined, centreId: 'CJPF-QROO-CUN',
      unknownRequester: { name: 'Karla Poot Ek', email: 'Karla.Poot@cjf.example.mx' },
    }));
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
    ['centreId', { requesterId: undefined, actorId: undefined, centreId: 'CJPF-NOPE', unknownRequester: { name: 'Alguien Más', email: 'a@b.mx' } }],
    ['entrada', { roles: ['analyst'] }],
  ])('refuses as VALIDATION naming %s and stores nothing', async (field, over) => {
    const before = await w.t.db.collection('orders').countDocuments();
    const attempt = reportOrder(w.deps, reportInput(over as never));
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(attempt).rejects.toHaveProperty('userMessage', expect.stringContaining(field));
    expect(await w.t.db.collection('orders').countDocuments()).toBe(before);
  });

  it('numbers the folio by the year in Mexico City, not in UTC, on New Year\'s Eve', async () => {
    const newYearsEve = new Date('2026-01-01T05:30:00Z'); // 23:30 on 31 Dec 2025 in Mexico City
    const order = await reportOrder({ ...w.deps, now: () => newYearsEve }, reportInput());
    expect(order.folio).toMatch(/^OS-2025-\d{6}$/);
    expect(order.createdAt).toEqual(newYearsEve);
  });

  it('defaults the centre to the requester\'s only centre and the priority to medium', async () => {
    const order = await reportOrder(w.deps, reportInput({ centreId: undefined, priority: undefined }));
    expect(order).toMatchObject({ centreId: 'CJPF-CDMX', priority: 'medium' });
  });
});
