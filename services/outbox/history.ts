import type { Collection } from 'mongodb';
import type { HistoryEntry, ServiceOrder } from '../orders/types';
import type { NotificationDoc } from './types';

/** Who a notice was for, as one readable token for the history line. */
export function recipientLabel(recipient: NotificationDoc['recipient']): string {
  return recipient.personId ?? recipient.email ?? recipient.role;
}

/**
 * Appends a 'notification' history entry for a final outcome, at most once per notification
 * (the filter skips orders that already carry one with this id), then marks the notification
 * as recorded. It does not touch `version`: a notice is not a state change and must not make
 * a concurrent transition fail with CONFLICT.
 */
export async function recordOutcomeOnOrder(
  notifications: Collection<NotificationDoc>,
  orders: Collection<ServiceOrder>,
  doc: NotificationDoc,
  now: Date,
): Promise<void> {
  const entry: HistoryEntry = {
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
  await orders.updateOne({ _id: doc.orderId, 'history.notification.id': { $ne: doc._id } }, { $push: { history: entry } });
  await notifications.updateOne({ _id: doc._id }, { $set: { historyRecorded: true } });
}
