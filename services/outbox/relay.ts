import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { NOTIFICATIONS_COLLECTION, NotificationDoc, ORDERS_COLLECTION } from './types';

const DUPLICATE_KEY = 11000;

export interface RelayOptions {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Orders handled per pass. */
  batchSize?: number;
}

/** True when a bulk insert failed only because some documents already existed. */
function onlyDuplicateKeys(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown } | undefined)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length > 0) return list.every((e) => (e as { code?: unknown }).code === DUPLICATE_KEY);
  return (error as { code?: unknown } | undefined)?.code === DUPLICATE_KEY;
}

/**
 * Moves notices from `orders.outbox` into `notifications`, then pulls them from the order.
 * Insert-then-pull with the notice id as `_id` makes every step repeatable: after a crash
 * between the two, the next pass inserts again (duplicate key: already relayed) and pulls.
 * Nothing is lost and nothing is duplicated.
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
      .find({ 'outbox.0': { $exists: true } }, { projection: { _id: 1, outbox: 1 } })
      .limit(this.batchSize)
      .toArray();
    let moved = 0;
    for (const order of orders) moved += await this.relayOrder(order);
    return moved;
  }

  private async relayOrder(order: Pick<ServiceOrder, '_id' | 'outbox'>): Promise<number> {
    if (order.outbox.length === 0) return 0;
    await this.insert(order, order.outbox);
    const ids = order.outbox.map((n) => n.id);
    await this.orders.updateOne({ _id: order._id }, { $pull: { outbox: { id: { $in: ids } } } });
    this.options.logger.debug({ orderId: String(order._id), count: ids.length }, 'outbox relayed');
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
