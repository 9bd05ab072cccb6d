import { Db, MongoClient } from 'mongodb';
import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { MongoOrderStore } from '../../../services/orders/order-store';
import { OutboxRelay, NotificationDoc } from '../../../services/outbox';
import type { ServiceOrder } from '../../../services/orders/types';
import { first } from '../../support/present';
import { insertOrderWithNotices, quietLogger } from './fixtures';

describe('OutboxRelay', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await openTestDatabase();
  });
  afterAll(async () => {
    await tdb?.close();
  });

  it('moves every pending notice into notifications and empties the order outbox', async () => {
    const order = await insertOrderWithNotices(tdb.db, 3);
    const relay = new OutboxRelay({ db: tdb.db, logger: quietLogger() });
    expect(await relay.relayOnce()).toBe(3);
    const stored = await tdb.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
    expect(stored.map((n) => n._id).sort()).toEqual(order.outbox.map((n) => n.id).sort());
    expect(stored.every((n) => n.state === 'pending' && n.attempts === 0)).toBe(true);
    const after = await tdb.db.collection<ServiceOrder>('orders').findOne({ _id: order._id });
    expect(after?.outbox).toEqual([]);
    expect(after?.version).toBe(1);
  });

  it('relays a pass of many orders in three round trips, whatever their number', async () => {
    const orders = [];
    for (let i = 0; i < 30; i++) orders.push(await insertOrderWithNotices(tdb.db, 2));
    const watcher = new MongoClient(tdb.uri, { monitorCommands: true });
    const commands: string[] = [];
    watcher.on('commandStarted', (e) => {
      if (e.commandName !== 'endSessions') commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    });
    try {
      expect(await new OutboxRelay({ db: watcher.db(tdb.dbName), logger: quietLogger() }).relayOnce()).toBe(60);
    } finally {
      await watcher.close();
    }
    expect(commands).toEqual(['find orders', 'insert notifications', 'update orders']);
    const after = await tdb.db
      .collection<ServiceOrder>('orders')
      .find({ _id: { $in: orders.map((o) => o._id) } })
      .toArray();
    expect(after.every((o) => o.outbox.length === 0 && o.outboxPending === undefined)).toBe(true);
    expect(
      await tdb.db.collection('notifications').countDocuments({ orderId: { $in: orders.map((o) => o._id) } }),
    ).toBe(60);
  });

  it('neither loses nor duplicates a notice when it crashed between insert and pull', async () => {
    const order = await insertOrderWithNotices(tdb.db, 2);
    // The crash: the first notice already reached notifications, the pull never happened.
    await tdb.db.collection<NotificationDoc>('notifications').insertOne({
      _id: first(order.outbox).id,
      orderId: order._id,
      event: 'order_reported',
      recipient: first(order.outbox).recipient,
      state: 'sent',
      attempts: 1,
      dueAt: new Date(),
      log: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    await new OutboxRelay({ db: tdb.db, logger: quietLogger() }).relayOnce();
    const stored = await tdb.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
    expect(stored).toHaveLength(2);
    expect(stored.find((n) => n._id === first(order.outbox).id)?.state).toBe('sent');
    expect((await tdb.db.collection<ServiceOrder>('orders').findOne({ _id: order._id }))?.outbox).toEqual([]);
  });

  it('does nothing on a second pass once the outboxes are empty', async () => {
    const relay = new OutboxRelay({ db: tdb.db, logger: quietLogger() });
    await relay.relayOnce();
    expect(await relay.relayOnce()).toBe(0);
  });

  it('keeps the flag and relays on the next pass a notice queued while the relay was working', async () => {
    const order = await insertOrderWithNotices(tdb.db, 1);
    const calm = await insertOrderWithNotices(tdb.db, 2);
    const orders = tdb.db.collection<ServiceOrder>('orders');
    const late = {
      id: `${order._id.toHexString()}-late`,
      event: 'status_changed',
      recipient: { personId: 'person-9', role: 'requester' as const },
      createdAt: new Date(),
    };
    // A transition queues another notice between the relay's read and its clean-up.
    const racing = new Proxy(tdb.db, {
      get(target, prop, receiver) {
        if (prop !== 'collection') return Reflect.get(target, prop, receiver);
        return (name: string) => {
          const c = target.collection(name);
          if (name !== 'notifications') return c;
          return new Proxy(c, {
            get(ct, p, r) {
              if (p !== 'insertMany') return Reflect.get(ct, p, r);
              return async (...args: Parameters<typeof c.insertMany>) => {
                const result = await ct.insertMany(...args);
                await orders.updateOne({ _id: order._id }, { $push: { outbox: late }, $set: { outboxPending: true } });
                return result;
              };
            },
          });
        };
      },
    }) as Db;
    expect(await new OutboxRelay({ db: racing, logger: quietLogger() }).relayOnce()).toBe(3);
    const between = await orders.findOne({ _id: order._id });
    expect([between?.outbox.map((n) => n.id), between?.outboxPending]).toEqual([[late.id], true]);
    // The order relayed in the same pass that did not grow is emptied and unflagged as usual.
    const calmAfter = await orders.findOne({ _id: calm._id });
    expect([calmAfter?.outbox, calmAfter?.outboxPending]).toEqual([[], undefined]);
    expect(await new OutboxRelay({ db: tdb.db, logger: quietLogger() }).relayOnce()).toBe(1);
    const after = await orders.findOne({ _id: order._id });
    expect([after?.outbox, after?.outboxPending]).toEqual([[], undefined]);
    expect(await tdb.db.collection<NotificationDoc>('notifications').countDocuments({ orderId: order._id })).toBe(2);
  });

  it('finds orders written before the flag existed once the order indexes are ensured', async () => {
    const order = await insertOrderWithNotices(tdb.db, 2);
    await tdb.db.collection<ServiceOrder>('orders').updateOne({ _id: order._id }, { $unset: { outboxPending: '' } });
    const relay = new OutboxRelay({ db: tdb.db, logger: quietLogger() });
    expect(await relay.relayOnce()).toBe(0);
    await new MongoOrderStore(tdb.db).ensureIndexes();
    expect(await relay.relayOnce()).toBe(2);
    expect((await tdb.db.collection<ServiceOrder>('orders').findOne({ _id: order._id }))?.outbox).toEqual([]);
  });
});
