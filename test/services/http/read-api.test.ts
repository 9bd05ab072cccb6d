import type { ServiceOrder } from '../../../services/orders/types';
import { Harness, makeOrder, startHarness } from './harness';

const json = (res: Response): Promise<any> => res.json();
const TOKEN = 'test-token-0123456789abcdef';

describe('read API (GET /api/orders)', () => {
  let h: Harness;
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${h.baseUrl}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    h = await startHarness({ apiToken: TOKEN });
    const orders = h.tdb.db.collection<ServiceOrder>('orders');
    for (let i = 1; i <= 25; i += 1) {
      await orders.insertOne(
        makeOrder(i, {
          status: i % 5 === 0 ? 'closed' : 'reported',
          centreId: i % 2 === 0 ? 'cjpf-cdmx' : 'cjpf-gdl',
          requester: { personId: i <= 3 ? 'beto' : 'ana', name: 'X' },
        }),
      );
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 401 with a Spanish message when the token is missing or wrong', async () => {
    for (const token of [null, 'wrong-token-0123456789', '']) {
      const res = await get('/api/orders/OS-2026-000001', token);
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.error.code).toBe('UNAUTHENTICATED');
      expect(body.error.message).toMatch(/token de acceso/);
    }
  });

  it('returns the order with its history for the right token', async () => {
    const res = await get('/api/orders/OS-2026-000007');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.folio).toBe('OS-2026-000007');
    expect(body.history).toHaveLength(1);
    expect(body.history[0].action).toBe('report');
  });

  it('answers 400 naming the field for a malformed folio and 404 for an unknown one', async () => {
    const bad = await get('/api/orders/OS-26-1');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: 'VALIDATION', field: 'folio' });
    const unknown = await get('/api/orders/OS-2026-999999');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/orden/) });
  });

  it('filters by status, centre and requester and pages newest first', async () => {
    const res = await get('/api/orders?status=reported&centre=cjpf-cdmx&page=2&pageSize=3');
    expect(res.status).toBe(200);
    const body = await json(res);
    // reported in cdmx: even numbers not divisible by 5 → 2,4,6,8,12,14,16,18,22,24 (10)
    expect(body.total).toBe(10);
    expect(body.page).toBe(2);
    expect(body.items.map((o: ServiceOrder) => o.folio)).toEqual([
      'OS-2026-000016',
      'OS-2026-000014',
      'OS-2026-000012',
    ]);
    const byRequester = await json(await get('/api/orders?requester=beto'));
    expect(byRequester.total).toBe(3);
  });

  it('filters by creation date with from inclusive and to exclusive', async () => {
    const body = await json(await get('/api/orders?from=2026-03-01T14:00:00Z&to=2026-03-01T17:00:00Z'));
    expect(body.items.map((o: ServiceOrder) => o.folio).sort()).toEqual([
      'OS-2026-000002',
      'OS-2026-000003',
      'OS-2026-000004',
    ]);
  });

  it('answers 400 naming the parameter for a bad query', async () => {
    const cases: Array<[string, string]> = [
      ['status=abierta', 'status'],
      ['pageSize=1000', 'pageSize'],
      ['page=0', 'page'],
      ['from=yesterday', 'from'],
      ['from=2026-03-05&to=2026-03-01', 'to'],
      ['color=red', 'color'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/orders?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((await json(res)).error.field).toBe(field);
    }
  });

  it('refuses repeated and operator-shaped parameters instead of querying with them', async () => {
    for (const query of ['status=reported&status=closed', 'status[$ne]=x', 'centre[$gt]=', 'requester[$regex]=.*']) {
      const res = await get(`/api/orders?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    const folio = await get(`/api/orders/${encodeURIComponent('{"$gt":""}')}`);
    expect(folio.status).toBe(400);
  });

  it('answers 401 to every request when no API token is configured', async () => {
    const open = await startHarness({});
    try {
      const res = await fetch(`${open.baseUrl}/api/orders`, { headers: { authorization: 'Bearer undefined' } });
      expect(res.status).toBe(401);
      expect((await fetch(`${open.baseUrl}/api/orders`)).status).toBe(401);
    } finally {
      await open.close();
    }
  });
});
