import { getOrder } from '../../../services/orders/get-order';
import { listOrders } from '../../../services/orders/list-orders';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import type { ServiceOrder } from '../../../services/orders/types';
import { openWorld, P, reportInput, World } from './world';

let w: World;
let cdmx: ServiceOrder[];
let tijuana: ServiceOrder;
beforeAll(async () => {
  w = await openWorld();
  cdmx = [];
  for (let i = 0; i < 3; i++) cdmx.push(await reportOrder(w.deps, reportInput()));
  cdmx[0] = await takeOrder(w.deps, { orderId: cdmx[0]!._id.toHexString(), actorId: P.analyst, channel: 'api' });
  tijuana = await reportOrder(w.deps, reportInput({ actorId: P.otherRequester, requesterId: P.otherRequester }));
});
afterAll(async () => {
  await w.t.close();
});

const folios = (page: { items: ServiceOrder[] }) => page.items.map((o) => o.folio).sort();

describe('getOrder', () => {
  it('returns the order with its history when the folio exists', async () => {
    const order = await getOrder(w.deps, { folio: cdmx[0]!.folio, viewer: 'service' });
    expect(order.history.map((h) => h.action)).toEqual(['report', 'take']);
  });

  it.each(['OS-26-1', 'os-2026-000001', 'OS-2026-000001 ', '', { $gt: '' }, ['OS-2026-000001']])(
    'refuses %p as VALIDATION naming folio',
    async (folio) => {
      await expect(getOrder(w.deps, { folio, viewer: 'service' })).rejects.toMatchObject({
        code: 'VALIDATION',
        userMessage: expect.stringContaining('folio'),
      });
    },
  );

  it('answers NOT_FOUND for a well-formed folio nobody has', async () => {
    await expect(getOrder(w.deps, { folio: 'OS-1999-000001', viewer: 'service' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('listOrders', () => {
  it('filters by status and centre', async () => {
    expect(folios(await listOrders(w.deps, { status: 'reported', centre: 'CJPF-CDMX' }))).toEqual(
      [cdmx[1]!.folio, cdmx[2]!.folio].sort(),
    );
    expect(folios(await listOrders(w.deps, { centre: 'CJPF-BC-TIJ' }))).toEqual([tijuana.folio]);
  });

  it('filters by requester and by creation dates', async () => {
    expect(folios(await listOrders(w.deps, { requester: P.otherRequester }))).toEqual([tijuana.folio]);
    expect((await listOrders(w.deps, { from: '2000-01-01', to: '2000-02-01' })).total).toBe(0);
    expect((await listOrders(w.deps, { from: new Date(Date.now() - 3600_000).toISOString() })).total).toBe(4);
  });

  it('pages newest first with the total', async () => {
    const first = await listOrders(w.deps, { pageSize: '3', page: '1' });
    const second = await listOrders(w.deps, { pageSize: 3, page: 2 });
    expect(first).toMatchObject({ total: 4, page: 1, pageSize: 3 });
    expect(first.items).toHaveLength(3);
    expect(second.items.map((o) => o.folio)).toEqual([cdmx[0]!.folio]);
    expect(first.items[0]!.folio).toBe(tijuana.folio);
  });

  it.each([
    ['status', { status: { $gt: '' } }],
    ['status', { status: 'abierta' }],
    ['centre', { centre: { $ne: null } }],
    ['centre', { centre: '$where' }],
    ['requester', { requester: { $regex: '.*' } }],
    ['requester', { requester: ['fernando.ruiz'] }],
    ['from', { from: { $gt: '' } }],
    ['to', { to: 'mañana' }],
    ['to', { from: '2026-02-01', to: '2026-01-01' }],
    ['page', { page: { $gt: 0 } }],
    ['page', { page: 0 }],
    ['pageSize', { pageSize: 101 }],
    ['pageSize', { pageSize: '1e3' }],
    ['entrada', { $where: 'sleep(1000)' }],
    ['entrada', { 'requester.personId': { $exists: true } }],
  ])('refuses as VALIDATION naming %s: %j', async (field, query) => {
    await expect(listOrders(w.deps, query)).rejects.toMatchObject({
      code: 'VALIDATION',
      userMessage: expect.stringContaining(field),
    });
  });

  it('never returns the outbox in listings', async () => {
    const page = await listOrders(w.deps, {});
    expect(page.items.every((o) => o.outbox === undefined)).toBe(true);
  });
});
