import { MongoClient, MongoServerError, ObjectId } from 'mongodb';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { reassignEngineer } from '../../../services/orders/reassign-engineer';
import { openWorld, orderIn, P, reportInput, World } from './world';

let w: World;
beforeAll(async () => { w = await openWorld(); });
afterAll(async () => { await w.t.close(); });

/** Order store whose first `n` reads all wait until each has happened, forcing a true race. */
function racingStore(n: number): World['orders'] {
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => { release = resolve; });
  const orders = Object.create(w.orders) as World['orders'];
  orders.findById = async (id) => {
    const found = await w.orders.findById(id);
    if (++reads <= n) {
      if (reads === n) release();
      await allRead;
    }
    return found;
  };
  return orders;
}

describe('concurrent use of orders', () => {
  it('lets one of two simultaneous reassignments win even though the status does not change', async () => {
    const order = await orderIn(w, 'engineer_assigned');
    const deps = { ...w.deps, orders: racingStore(2) };
    const input = (actorId: string, engineerId: string) => ({ orderId: order._id.toHexString(), actorId, channel: 'teams' as const, engineerId, reason: 'Cambio de turno' });
    const results = await Promise.allSettled([
      reassignEngineer(deps, input(P.analyst, 'daniel.ortiz')),
      reassignEngineer(deps, input(P.analyst2, 'daniel.ortiz')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason).toMatchObject({ code: 'CONFLICT' });
    const stored = (await w.orders.findById(order._id))!;
    expect(stored.version).toBe(order.version + 1);
    expect(stored.history.filter((h) => h.action === 'reassign')).toHaveLength(1);
  });

  it('lets exactly one of two analysts take the same order at once', async () => {
    const order = await reportOrder(w.deps, reportInput());
    const input = (actorId: string) => ({ orderId: order._id.toHexString(), actorId, channel: 'teams' as const });
    // Both must read version 1 before either writes, so the race is real, not sequential.
    const deps = { ...w.deps, orders: racingStore(2) };
    const results = await Promise.allSettled([takeOrder(deps, input(P.analyst)), takeOrder(deps, input(P.analyst2))]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'CONFLICT' });
    const stored = (await w.orders.findById(order._id))!;
    expect(stored.version).toBe(2);
    expect(stored.history.filter((h) => h.action === 'take')).toHaveLength(1);
    expect(stored.outbox.filter((n) => n.event === 'status_changed')).toHaveLength(1);
  });

  it('hands out 50 distinct consecutive folios to 50 concurrent reports', async () => {
    const orders = await Promise.all(Array.from({ length: 50 }, () => reportOrder(w.deps, reportInput())));
    const numbers = orders.map((o) => Number(o.folio.slice(-6))).sort((a, b) => a - b);
    expect(new Set(orders.map((o) => o.folio)).size).toBe(50);
    expect(numbers[49]! - numbers[0]!).toBe(49);
    expect(await w.t.db.collection('orders').countDocuments({ folio: { $in: orders.map((o) => o.folio) } })).toBe(50);
  });

  it('gives reports arriving together one counter increment and one insert (an order refused for a duplicate id fails alone), and lookups one query', async () => {
    const watcher = new MongoClient(w.t.uri, { monitorCommands: true });
    const commands: string[] = [];
    watcher.on('commandStarted', (e) => { if (['findAndModify', 'insert'].includes(e.commandName)) commands.push(`${e.commandName} ${String(e.command[e.commandName])}`); });
    try {
      const store = new MongoOrderStore(watcher.db(w.t.dbName));
      const folios = await Promise.all(Array.from({ length: 5 }, () => store.nextFolio(2032)));
      expect(folios).toEqual(['OS-2032-000001', 'OS-2032-000002', 'OS-2032-000003', 'OS-2032-000004', 'OS-2032-000005']);
      const taken = await orderIn(w, 'reported');
      const fresh = (n: number) => ({ ...taken, _id: new ObjectId(), folio: `OS-2032-00010${n}`, history: [], outbox: [] });
      const results = await Promise.allSettled([store.insert(fresh(1)), store.insert({ ...taken, folio: 'OS-2032-000109' }), store.insert(fresh(2))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const refused = (results[1] as PromiseRejectedResult).reason as MongoServerError;
      expect(refused).toBeInstanceOf(MongoServerError);
      expect(refused.code).toBe(11000);
      expect(await w.t.db.collection('orders').countDocuments({ folio: { $in: ['OS-2032-000101', 'OS-2032-000102', 'OS-2032-000109'] } })).toBe(2);
      expect(commands).toEqual(['findAndModify counters', 'insert orders']);
      // Orders looked up together are read in one query.
      watcher.on('commandStarted', (e) => { if (e.commandName === 'find') commands.push(`find ${String(e.command.find)}`); });
      const looked = await Promise.all([store.findById(taken._id), store.findById(new ObjectId()), store.findById(taken._id)]);
      expect(looked.map((o) => o?.folio ?? null)).toEqual([taken.folio, null, taken.folio]);
      expect(commands.slice(2)).toEqual(['find orders']);
    } finally {
      await watcher.close();
    }
  });

  it('starts a new sequence each year', async () => {
    expect(await w.orders.nextFolio(2031)).toBe('OS-2031-000001');
    expect(await w.orders.nextFolio(2031)).toBe('OS-2031-000002');
  });
});
