import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { HistoryEntry, ServiceOrder } from '../orders/types';
import type { NotificationDoc } from './types';

/** Who a notice was for, as one readable token for the history line. */
export function recipientLabel(recipient: NotificationDoc['recipient']): string {
  return recipient.personId ?? recipient.email ?? recipient.role;
}

/** The 'notification' history entry of a final outcome. */
function outcomeEntry(doc: NotificationDoc, now: Date): HistoryEntry {
  return {
    at: now,
    action: 'notification',
    by: { name: 'Sistema' },
    channel: 'system',
    notification: {
      id: doc._id,
      recipient: recipientLabel(doc.recipient),
      channel: doc.channel,
      outcome: doc.outcome ?? doc.state,
      ...(doc.reason && (doc.state === 'failed' || doc.outcome === 'fell_back') ? { detail: doc.reason } : {}),
    },
  };
}

/**
 * Appends a 'notification' history entry for each final outcome, at most once per
 * notification (each write skips an order that already carries one with that id), then marks
 * those notifications as recorded: two round trips for any number of outcomes. It does not
 * touch `version`: a notice is not a state change and must not make a concurrent transition
 * fail with CONFLICT. A crash in between leaves `historyRecorded: false`, and the next call
 * for the same notifications writes nothing twice.
 */
export async function recordOutcomesOnOrders(
  notifications: Collection<NotificationDoc>,
  orders: Collection<ServiceOrder>,
  docs: readonly NotificationDoc[],
  now: Date,
): Promise<void> {
  if (docs.length === 0) return;
  const writes: AnyBulkWriteOperation<ServiceOrder>[] = docs.map((doc) => ({
    updateOne: {
      filter: { _id: doc.orderId, 'history.notification.id': { $ne: doc._id } },
      update: { $push: { history: outcomeEntry(doc, now) } },
    },
  }));
  await orders.bulkWrite(writes, { ordered: false });
  await notifications.updateMany({ _id: { $in: docs.map((d) => d._id) } }, { $set: { historyRecorded: true } });
}
