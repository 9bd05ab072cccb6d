import { Writable } from 'node:stream';
import { Db, ObjectId } from 'mongodb';
import { createLogger, Logger } from '../../../services/logger';
import type { PendingNotice, ServiceOrder } from '../../../services/orders/types';
import type { NotificationChannel, NotificationDoc } from '../../../services/outbox';

/** A logger that swallows everything (tests assert on data, not on log lines). */
export function quietLogger(): Logger {
  return createLogger(
    'silent',
    new Writable({
      write(_c, _e, done) {
        done();
      },
    }),
  );
}

/**
 * The notification the outbox hands a channel for a queued notice, already claimed by this
 * instance: what `NotificationChannel.send` gets.
 */
export const claimedNotification = (
  order: Pick<ServiceOrder, '_id'>,
  n: Pick<PendingNotice, 'id' | 'event' | 'recipient'>,
): NotificationDoc => ({
  _id: n.id,
  orderId: order._id,
  event: n.event,
  recipient: n.recipient,
  state: 'claimed',
  attempts: 1,
  dueAt: new Date(),
  log: [],
  createdAt: new Date(),
  updatedAt: new Date(),
});

let folioCounter = 0;

/** Inserts a minimal order carrying `noticeCount` pending notices; returns it. */
export async function insertOrderWithNotices(db: Db, noticeCount: number): Promise<ServiceOrder> {
  const now = new Date();
  const _id = new ObjectId();
  folioCounter += 1;
  const outbox: PendingNotice[] = Array.from({ length: noticeCount }, (_, i) => ({
    id: `${_id.toHexString()}-n${i}`,
    event: 'order_reported',
    recipient: { personId: `person-${i}`, role: 'requester' },
    createdAt: now,
  }));
  const order: ServiceOrder = {
    _id,
    folio: `OS-2026-${String(folioCounter).padStart(6, '0')}`,
    status: 'reported',
    version: 1,
    requester: { personId: 'person-0', name: 'Ana Solicitante' },
    centreId: 'cjpf-cdmx',
    channel: 'teams',
    equipment: { type: 'computer' },
    description: 'No enciende',
    priority: 'medium',
    attachments: [],
    timestamps: { reportedAt: now },
    history: [],
    outbox,
    outboxPending: true,
    createdAt: now,
    updatedAt: now,
  };
  await db.collection<ServiceOrder>('orders').insertOne(order);
  return order;
}

/** A channel that records each send; `failTimes` makes the first N sends throw. */
export class RecordingChannel implements NotificationChannel {
  readonly sent: Array<{ id: string; folio: string }> = [];
  attempts = 0;
  constructor(
    readonly name = 'test',
    private failTimes = 0,
    private reach = true,
  ) {}
  canReach(): boolean {
    return this.reach;
  }
  async send(notification: NotificationDoc, order: ServiceOrder): Promise<void> {
    this.attempts += 1;
    await new Promise((r) => setImmediate(r));
    if (this.failTimes > 0) {
      this.failTimes -= 1;
      throw new Error('channel unavailable');
    }
    this.sent.push({ id: notification._id, folio: order.folio });
  }
}
