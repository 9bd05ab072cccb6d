import type { Collection, Db, ObjectId, UpdateFilter } from 'mongodb';
import { queueing } from '../notifications/notices';
import { OPEN_STATUSES } from '../workflow';
import type { PendingNotice, ServiceOrder } from '../orders/types';

/** The fields the monitor reads of an open order. */
export type MonitoredOrder = Pick<
  ServiceOrder,
  '_id' | 'status' | 'priority' | 'centreId' | 'timestamps' | 'history' | 'provider' | 'engineer' | 'slaMarks'
>;

export interface SlaStore {
  /** Every open order (the monitor's working set), in batches through one indexed query. */
  openOrders(): AsyncIterable<MonitoredOrder>;
  /**
   * Records `marks` on the order and queues `notices` in its outbox in ONE conditional
   * write, made only if none of `marks` is already there. Resolves true when this call
   * recorded them, false when another instance (or an earlier pass) already had: that is
   * the answer to "was I first", not a failure. Neither `status` nor `version` changes: a
   * threshold notice is not a state change and must not make a concurrent transition fail.
   */
  recordThresholds(orderId: ObjectId, marks: string[], notices: PendingNotice[]): Promise<boolean>;
}

/** Told of thresholds once this store recorded them (marks are `clock:75|100`); must not throw. */
export interface SlaObserver {
  recorded?(marks: readonly string[]): void;
}

export class MongoSlaStore implements SlaStore {
  private readonly orders: Collection<ServiceOrder>;

  constructor(
    db: Db,
    private readonly observer: SlaObserver = {},
  ) {
    this.orders = db.collection<ServiceOrder>('orders');
  }

  async *openOrders(): AsyncIterable<MonitoredOrder> {
    const cursor = this.orders.find(
      { status: { $in: [...OPEN_STATUSES] } },
      {
        projection: {
          _id: 1,
          status: 1,
          priority: 1,
          centreId: 1,
          timestamps: 1,
          'history.at': 1,
          'history.to': 1,
          provider: 1,
          engineer: 1,
          slaMarks: 1,
        },
        batchSize: 500,
      },
    );
    for await (const doc of cursor) yield doc as MonitoredOrder;
  }

  async recordThresholds(orderId: ObjectId, marks: string[], notices: PendingNotice[]): Promise<boolean> {
    const result = await this.orders.updateOne(
      { _id: orderId, slaMarks: { $nin: marks } },
      queueing({ $push: { slaMarks: { $each: marks } } }, notices) as UpdateFilter<ServiceOrder>,
    );
    const recorded = result.modifiedCount === 1;
    if (recorded && this.observer.recorded) {
      try {
        this.observer.recorded(marks);
      } catch {
        // Recorded already; an observer's failure must not undo the answer.
      }
    }
    return recorded;
  }
}
