import type { Collection, Db, UpdateFilter } from 'mongodb';
import type { PendingNotice, ServiceOrder } from '../orders/types';
import { queueing } from './notices';

/** What a reminder pass reads of an order awaiting the requester's answer. */
export type AwaitingOrder = Pick<ServiceOrder, '_id' | 'version' | 'requester' | 'history' | 'reminderMarks'>;

export interface ReminderStore {
  /** Orders in `validation`, read as they come. */
  awaitingValidation(): AsyncIterable<AwaitingOrder>;
  /**
   * Records reminder `mark` and queues `notice`, only if the order is still in `validation`
   * at the version read and the mark is absent; true when this call wrote it.
   */
  recordReminder(order: AwaitingOrder, mark: string, notice: PendingNotice): Promise<boolean>;
}

/** Reminders on the orders themselves: the mark and the notice go in one conditional write. */
export class MongoReminderStore implements ReminderStore {
  private readonly orders: Collection<ServiceOrder>;

  constructor(db: Db) {
    this.orders = db.collection<ServiceOrder>('orders');
  }

  async *awaitingValidation(): AsyncIterable<AwaitingOrder> {
    const cursor = this.orders.find(
      { status: 'validation' },
      { projection: { _id: 1, version: 1, requester: 1, history: 1, reminderMarks: 1 } },
    );
    for await (const doc of cursor) yield doc as AwaitingOrder;
  }

  async recordReminder(order: AwaitingOrder, mark: string, notice: PendingNotice): Promise<boolean> {
    const written = await this.orders.updateOne(
      { _id: order._id, status: 'validation', version: order.version, reminderMarks: { $ne: mark } },
      queueing({ $push: { reminderMarks: mark } }, [notice]) as UpdateFilter<ServiceOrder>,
    );
    return written.modifiedCount === 1;
  }
}
