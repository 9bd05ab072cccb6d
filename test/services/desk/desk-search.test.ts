import { ObjectId } from 'mongodb';
import { MongoOrderStore } from '../../../services/orders/order-store';
import type { ServiceOrder } from '../../../services/orders/types';
import { makeOrder } from '../http/harness';
import { signInLocally, startDesk } from './desk-support';

type Page = { items: Array<{ folio: string }>; more: boolean };

/** An order as the report use case stores it: through the order store, which numbers it and indexes its words. */
async function report(store: MongoOrderStore, overrides: Partial<ServiceOrder>): Promise<ServiceOrder> {
  const { folio: _folio, ...order } = makeOrder(1, {
    _id: new ObjectId(),
    requester: { personId: 'fernando.ruiz', name: 'Fernando Ruiz Delgado', email: 'fernando.ruiz@cjf.example.mx' },
    centreId: 'CJPF-CDMX',
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  });
  return (await store.create(order, 2031)).order;
}

describe('Mesa search (/desk/api/search)', () => {
  let desk: Awaited<ReturnType<typeof startDesk>>;
  let store: MongoOrderStore;
  beforeAll(async () => {
    desk = await startDesk();
    store = new MongoOrderStore(desk.tdb.db);
  }, 60_000);
  afterAll(async () => {
    await desk?.close();
  });

  it('finds orders by folio, words of the description (any case or accent), requester, email and inventory number', async () => {
    const printer = await report(store, {
      description: 'La IMPRESIÓN sale manchada en la Sala 3',
      equipment: { type: 'printer', inventoryNumber: 'CJF-INV-778899', location: 'Sala de audiencias 3' },
    });
    const other = await report(store, {
      description: 'El micrófono no graba',
      requester: { personId: 'lucia.mendez', name: 'Lucía Méndez Ortiz', email: 'lucia.mendez@cjf.example.mx' },
    });
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const search = async (q: string) =>
      (await (await ana.get(`/desk/api/search?q=${encodeURIComponent(q)}`)).json()) as Page;
    const folios = async (q: string) => (await search(q)).items.map((i) => i.folio);

    expect(await folios(printer.folio)).toEqual([printer.folio]);
    expect(await folios('impresion manchada')).toEqual([printer.folio]);
    expect(await folios('Impresión SALA')).toEqual([printer.folio]);
    expect(await folios('cjf-inv-778899')).toEqual([printer.folio]);
    expect(await folios('lucia mendez')).toEqual([other.folio]);
    expect(await folios('lucia.mendez@cjf.example.mx')).toEqual([other.folio]);
    expect(await folios('fernando')).toContain(printer.folio);
    expect(await folios('fernando')).not.toContain(other.folio);
    // Every word must be on the order.
    expect(await folios('impresion micrófono')).toEqual([]);
  });

  it('finds an order by what was written on it later and by the engineer it was turned to', async () => {
    const order = await report(store, { description: 'No hay red en el juzgado' });
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const detail = async () => (await (await ana.get(`/desk/api/orders/${order.folio}`)).json()) as { version: number };
    const act = async (body: Record<string, unknown>) =>
      expect(
        (await ana.post(`/desk/api/orders/${order.folio}/actions`, { ...body, version: (await detail()).version }))
          .status,
      ).toBe(200);
    await act({ verb: 'take' });
    await act({ verb: 'add_note', message: 'El conmutador parpadea en ámbar' });
    await act({ verb: 'assign_engineer', engineerId: 'miguel.torres' });
    const folios = async (q: string) =>
      ((await (await ana.get(`/desk/api/search?q=${encodeURIComponent(q)}`)).json()) as Page).items.map((i) => i.folio);
    expect(await folios('conmutador ambar')).toEqual([order.folio]);
    expect(await folios('miguel torres juzgado')).toEqual([order.folio]);
  });

  it('pages the results newest first and says when more follow', async () => {
    const made: string[] = [];
    for (let i = 0; i < 27; i++) made.push((await report(store, { description: `Teclado zyxwv número ${i}` })).folio);
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const first = (await (await ana.get('/desk/api/search?q=zyxwv')).json()) as Page;
    const second = (await (await ana.get('/desk/api/search?q=zyxwv&page=2')).json()) as Page;
    expect(first.items).toHaveLength(25);
    expect(first.more).toBe(true);
    expect(second.more).toBe(false);
    expect([...first.items, ...second.items].map((i) => i.folio)).toEqual([...made].reverse());
  });

  it('answers an empty or unusable query with a Spanish 400, and other roles with 403', async () => {
    const ana = await signInLocally(desk.base, 'ana.lopez');
    const res = await ana.get('/desk/api/search?q=%20%3C%3E%20');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Escriba al menos');
    expect((await ana.get(`/desk/api/search?q=${'x'.repeat(201)}`)).status).toBe(400);
    const miguel = await signInLocally(desk.base, 'miguel.torres');
    expect((await miguel.get('/desk/api/search?q=impresora')).status).toBe(403);
  });

  it('gives orders stored before the search field existed their words once, at start', async () => {
    const old = makeOrder(900_001, { description: 'Proyector quemado antiguo', folio: 'OS-2019-000001' });
    await desk.tdb.db.collection('orders').insertOne(old);
    await desk.tdb.db.collection('migrations').deleteMany({});
    await new MongoOrderStore(desk.tdb.db).ensureIndexes();
    const found = await store.search({ tokens: ['proyector', 'antiguo'], skip: 0, limit: 5 });
    expect(found.items.map((o) => o.folio)).toEqual(['OS-2019-000001']);
    expect(found.items[0]).not.toHaveProperty('searchTokens');
  });
});
