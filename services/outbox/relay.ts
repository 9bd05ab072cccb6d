import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { NOTIFICATIONS_COLLECTION, NotificationDoc, ORDERS_COLLECTION } from './types';
import { onlyDuplicateKeys } from '../mongo-errors';

export interface RelayOptions {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Orders handled per pass. */
  batchSize?: number;
}

/**
 * Moves notices from `orders.outbox` into `notifications`, then takes them off the order.
 * Insert-then-remove with the notice id as `_id` makes every step repeatable: after a crash
 * between the two, the next pass inserts again (duplicate key: already relayed) and removes.
 * Nothing is lost and nothing is duplicated. Orders with work are found by their
 * `outboxPending` flag (indexed), which the relay clears only once the outbox is empty.
 */
export class OutboxRelay {
  private readonly orders: Collection<ServiceOrder>;
  private readonly notifications: Collection<NotificationDoc>;
  private readonly now: () => Date;
  private readonly batchSize: number;

  constructor(private readonly options: RelayOptions) {
    this.orders = options.db.collection<ServiceOrder>(ORDERS_COLLECTION);
    this.notifications = options.db.collection<NotificationDoc>(NOTIFICATIONS_COLLECTION);
    this.now = options.now ?? (() => new Date());
    this.batchSize = options.batchSize ?? 100;
  }

  /** One pass; returns how many notices were handed over (including already-relayed ones). */
  async relayOnce(): Promise<number> {
    const orders = await this.orders
      .find({ outboxPending: true }, { projection: { _id: 1, outbox: 1 } })
      .limit(this.batchSize)
      .toArray();
    let moved = 0;
    for (const order of orders) moved += await this.relayOrder(order);
    return moved;
  }

  private async relayOrder(order: Pick<ServiceOrder, '_id' | 'outbox'>): Promise<number> {
    const ids = order.outbox.map((n) => n.id);
    if (ids.length > 0) await this.insert(order, order.outbox);
    // The outbox still holds exactly what was read (nothing was queued meanwhile): empty it
    // and clear the flag in one write. Otherwise take off what was relayed and keep the flag
    // for the next pass, which finds the newly queued notices.
    const emptied = await this.orders.updateOne(
      { _id: order._id, outbox: { $size: ids.length }, ...(ids.length > 0 ? { 'outbox.id': { $all: ids } } : {}) },
      { $set: { outbox: [] }, $unset: { outboxPending: '' } },
    );
    if (emptied.matchedCount === 0 && ids.length > 0) {
      await this.orders.updateOne({ _id: order._id }, { $pull: { outbox: { id: { $in: ids } } } });
    }
    if (ids.length > 0) this.options.logger.debug({ orderId: String(order._id), count: ids.length }, 'outbox relayed');
    return ids.length;
  }

  /** Inserts an order's notices in one round trip; a notice already relayed (duplicate key) is skipped. */
  private async insert(order: Pick<ServiceOrder, '_id'>, notices: readonly PendingNotice[]): Promise<void> {
    const now = this.now();
    const docs: NotificationDoc[] = notices.map((notice) => ({
      _id: notice.id,
      orderId: order._id,
      event: notice.event,
      recipient: notice.recipient,
      state: 'pending',
      attempts: 0,
      dueAt: now,
      log: [],
      createdAt: notice.createdAt ?? now,
      updatedAt: now,
    }));
    try {
      await this.notifications.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }
}
