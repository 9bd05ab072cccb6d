import type { Collection, Db } from 'mongodb';
import type { Logger } from '../logger';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { NOTIFICATIONS_COLLECTION, NotificationDoc, ORDERS_COLLECTION } from './types';
import { onlyDuplicateKeys } from '../mongo-errors';
import { batchKey } from '../notifications/delivery-rules';
import { isFull, QUIET_WINDOWS_COLLECTION, QuietWindowDoc } from './quiet-windows';

export interface RelayOptions {
  db: Db;
  logger: Logger;
  now?: () => Date;
  /** Orders handled per pass. */
  batchSize?: number;
  /**
   * The dispatcher's digest allowance, when it runs with a digest window. A notice for a
   * person whose quiet window is already full is then inserted due at the window's end,
   * where the dispatcher would otherwise claim it only to put it back: during a burst to
   * an analyst, most notices skip that claim-and-hold round.
   */
  digestAllowance?: number;
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
  private readonly windows: Collection<QuietWindowDoc>;
  private full = false;

  /** True when the last pass took a whole batch, so more orders may be waiting. */
  get lastPassFull(): boolean {
    return this.full;
  }

  constructor(private readonly options: RelayOptions) {
    this.orders = options.db.collection<ServiceOrder>(ORDERS_COLLECTION);
    this.notifications = options.db.collection<NotificationDoc>(NOTIFICATIONS_COLLECTION);
    this.now = options.now ?? (() => new Date());
    this.batchSize = options.batchSize ?? 100;
    this.windows = options.db.collection<QuietWindowDoc>(QUIET_WINDOWS_COLLECTION);
  }

  /**
   * One pass over up to `batchSize` flagged orders, in three round trips whatever their
   * number: read them, insert all their notices, then empty each outbox and clear its flag
   * (one bulk write of conditional updates); with `digestAllowance`, one more reads the
   * recipients' quiet windows. An order whose outbox grew meanwhile fails its condition; one
   * more round trip takes off just what was relayed and leaves its flag for the next pass. Returns how many notices were handed over (including already-relayed ones).
   */
  async relayOnce(): Promise<number> {
    const orders = await this.orders
      .find({ outboxPending: true }, { projection: { _id: 1, outbox: 1 } })
      .limit(this.batchSize)
      .toArray();
    this.full = orders.length >= this.batchSize;
    if (orders.length === 0) return 0;
    const now = this.now();
    const docs = orders.flatMap((order) => order.outbox.map((notice) => notificationOf(order, notice, now)));
    if (docs.length > 0) {
      await this.holdForFullWindows(docs, now);
      await this.insert(docs);
    }
    const idsOf = (order: Pick<ServiceOrder, 'outbox'>) => order.outbox.map((n) => n.id);
    // Each outbox still holding exactly what was read (nothing queued meanwhile) is emptied
    // and its flag cleared in one write.
    const emptied = await this.orders.bulkWrite(
      orders.map((order) => {
        const ids = idsOf(order);
        return {
          updateOne: {
            filter: {
              _id: order._id,
              outbox: { $size: ids.length },
              ...(ids.length > 0 ? { 'outbox.id': { $all: ids } } : {}),
            },
            update: { $set: { outbox: [] }, $unset: { outboxPending: '' } },
          },
        };
      }),
      { ordered: false },
    );
    if (emptied.matchedCount < orders.length) {
      // Which orders grew is not told per write; pulling what was relayed is a no-op on the emptied ones.
      const grown = orders.filter((order) => order.outbox.length > 0);
      if (grown.length > 0) {
        await this.orders.bulkWrite(
          grown.map((order) => ({
            updateOne: { filter: { _id: order._id }, update: { $pull: { outbox: { id: { $in: idsOf(order) } } } } },
          })),
          { ordered: false },
        );
      }
    }
    if (docs.length > 0) this.options.logger.debug({ orders: orders.length, count: docs.length }, 'outbox relayed');
    return docs.length;
  }

  /** Makes notices for people whose quiet window is full due at its end (see `digestAllowance`). */
  private async holdForFullWindows(docs: NotificationDoc[], now: Date): Promise<void> {
    const allowance = this.options.digestAllowance;
    if (allowance === undefined) return;
    const keys = [...new Set(docs.map(batchKey).filter((k): k is string => k !== undefined))];
    if (keys.length === 0) return;
    const open = await this.windows.find({ _id: { $in: keys }, until: { $gt: now } }).toArray();
    const fullUntil = new Map(open.filter((w) => isFull(w, now, allowance)).map((w) => [w._id, w.until]));
    if (fullUntil.size === 0) return;
    for (const doc of docs) {
      const until = fullUntil.get(batchKey(doc) ?? '');
      if (until) {
        doc.dueAt = until;
        doc.held = true;
      }
    }
  }

  /** Inserts notices in one round trip; a notice already relayed (duplicate key) is skipped. */
  private async insert(docs: NotificationDoc[]): Promise<void> {
    try {
      await this.notifications.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!onlyDuplicateKeys(error)) throw error;
    }
  }
}

function notificationOf(order: Pick<ServiceOrder, '_id'>, notice: PendingNotice, now: Date): NotificationDoc {
  return {
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
  };
}
