import { MongoClient, ObjectId } from 'mongodb';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { reportOrder } from '../../../services/orders/report-order';
import { takeOrder } from '../../../services/orders/take-order';
import { reassignEngineer } from '../../../services/orders/reassign-engineer';
import { openWorld, orderIn, P, reportInput, World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(async () => {
  await w.t.close();
});

/** Order store whose first `n` reads all wait until each has happened, forcing a true race. */
function racingStore(n: number): World['orders'] {
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => {
    release = resolve;
  });
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
    const input = (actorId: string, engineerId: string) => ({
      orderId: order._id.toHexString(),
      actorId,
      channel: 'teams' as const,
      engineerId,
      reason: 'Cambio de turno',
    });
    const results = await Promise.allSettled([
      reassignEngineer(deps, input(P.analyst, 'daniel.ortiz')),
      reassignEngineer(deps, input(P.analyst2, 'daniel.ortiz')),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason).toMatchObject({
      code: 'CONFLICT',
    });
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

  it('makes one order of a report repeated at once, on one instance or on two', async () => {
    const orderId = new ObjectId().toHexString();
    const twin = new MongoClient(w.t.uri);
    try {
      const other = { ...w.deps, orders: new MongoOrderStore(twin.db(w.t.dbName)) };
      const made = await Promise.all([
        reportOrder(w.deps, reportInput({ orderId })),
        reportOrder(w.deps, reportInput({ orderId })),
        reportOrder(other, reportInput({ orderId })),
      ]);
      expect(new Set(made.map((o) => o.folio)).size).toBe(1);
      expect(await w.t.db.collection('orders').countDocuments({ _id: ObjectId.createFromHexString(orderId) })).toBe(1);
      const again = await reportOrder(other, reportInput({ orderId }));
      expect(again).toEqual(made[0]);
    } finally {
      await twin.close();
    }
  });

  it('refuses a repeated report id claimed by another requester', async () => {
    const orderId = new ObjectId().toHexString();
    await reportOrder(w.deps, reportInput({ orderId }));
    await expect(
      reportOrder(w.deps, reportInput({ orderId, actorId: P.otherRequester, requesterId: P.otherRequester })),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('gives back the folio of an order whose insert failed: the counter and the order move together', async () => {
    const now = () => new Date('2033-03-01T18:00:00Z');
    const deps = { ...w.deps, now };
    expect((await reportOrder(deps, reportInput())).folio).toBe('OS-2033-000001');
    // A stray order already holds the next folio: the insert breaks the unique index.
    const stray = await orderIn(w, 'reported');
    await w.t.db.collection('orders').insertOne({ ...stray, _id: new ObjectId(), folio: 'OS-2033-000002' });
    await expect(reportOrder(deps, reportInput())).rejects.toMatchObject({ code: 11000 });
    expect(await w.t.db.collection('counters').findOne({ _id: 'folio-2033' as never })).toMatchObject({ seq: 1 });
    await w.t.db.collection('orders').deleteOne({ folio: 'OS-2033-000002' });
    expect((await reportOrder(deps, reportInput())).folio).toBe('OS-2033-000002');
  });

  it('numbers each new order in one transaction, reads orders looked up together in one query', async () => {
    const watcher = new MongoClient(w.t.uri, { monitorCommands: true });
    const commands: string[] = [];
    watcher.on('commandStarted', (e) => {
      if (['findAndModify', 'insert', 'commitTransaction', 'find'].includes(e.commandName))
        commands.push(`${e.commandName}${e.command.txnNumber === undefined ? '' : ' (txn)'}`);
    });
    try {
      const store = new MongoOrderStore(watcher.db(w.t.dbName));
      const taken = await orderIn(w, 'reported');
      const { folio: _ignored, ...unnumbered } = { ...taken, _id: new ObjectId() };
      await store.create(unnumbered, 2034);
      // A new report costs three round trips: no look-up first.
      expect(commands).toEqual(['findAndModify (txn)', 'insert (txn)', 'commitTransaction (txn)']);
      commands.length = 0;
      // Its repeat finds the order only after the insert refused it, and takes no folio.
      const again = await store.create(unnumbered, 2034);
      expect(again.created).toBe(false);
      expect(commands.filter((c) => c !== 'commitTransaction (txn)')).toEqual([
        'findAndModify (txn)',
        'insert (txn)',
        'find',
      ]);
      const next = await store.create({ ...unnumbered, _id: new ObjectId() }, 2034);
      expect(Number(next.order.folio.slice(-6))).toBe(Number(again.order.folio.slice(-6)) + 1);
      commands.length = 0;
      const looked = await Promise.all([
        store.findById(taken._id),
        store.findById(new ObjectId()),
        store.findById(taken._id),
      ]);
      expect(looked.map((o) => o?.folio ?? null)).toEqual([taken.folio, null, taken.folio]);
      expect(commands).toEqual(['find']);
    } finally {
      await watcher.close();
    }
  });

  it('starts a new sequence each year', async () => {
    const at = (iso: string) => ({ ...w.deps, now: () => new Date(iso) });
    expect((await reportOrder(at('2031-06-01T18:00:00Z'), reportInput())).folio).toBe('OS-2031-000001');
    expect((await reportOrder(at('2031-06-01T18:00:00Z'), reportInput())).folio).toBe('OS-2031-000002');
  });
});
