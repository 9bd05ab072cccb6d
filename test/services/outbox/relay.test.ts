import { openTestDatabase, TestDatabase } from '../../support/mongo';
import { OutboxRelay, NotificationDoc } from '../../../services/outbox';
import type { ServiceOrder } from '../../../services/orders/types';
import { insertOrderWithNotices, quietLogger } from './fixtures';

describe('OutboxRelay', () => {
  let tdb: TestDatabase;
  beforeAll(async () => { tdb = await openTestDatabase(); });
  afterAll(async () => { await tdb?.close(); });

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

  it('neither loses nor duplicates a notice when it crashed between insert and pull', async () => {
    const order = await insertOrderWithNotices(tdb.db, 2);
    // The crash: the first notice already reached notifications, the pull never happened.
    await tdb.db.collection<NotificationDoc>('notifications').insertOne({
      _id: order.outbox[0].id, orderId: order._id, event: 'order_reported', recipient: order.outbox[0].recipient,
      state: 'sent', attempts: 1, dueAt: new Date(), log: [], createdAt: new Date(), updatedAt: new Date(),
    });
    await new OutboxRelay({ db: tdb.db, logger: quietLogger() }).relayOnce();
    const stored = await tdb.db.collection<NotificationDoc>('notifications').find({ orderId: order._id }).toArray();
    expect(stored).toHaveLength(2);
    expect(stored.find((n) => n._id === order.outbox[0].id)?.state).toBe('sent');
    expect((await tdb.db.collection<ServiceOrder>('orders').findOne({ _id: order._id }))?.outbox).toEqual([]);
  });

  it('does nothing on a second pass once the outboxes are empty', async () => {
    const relay = new OutboxRelay({ db: tdb.db, logger: quietLogger() });
    await relay.relayOnce();
    expect(await relay.relayOnce()).toBe(0);
  });
});
