import type { PendingNotice, ServiceOrder } from '../orders/types';
import type { NoticeEvent } from '../notifications/routing';
import { NoticeDraft, noticesTo } from '../notifications/notices';
import type { ClockName } from './clocks';

/** The two thresholds announced for every clock: a warning at 75 %, the breach at 100 %. */
export const THRESHOLDS = [75, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

export const thresholdMark = (clock: ClockName, threshold: Threshold) => `${clock}:${threshold}`;

export const thresholdEvent = (threshold: Threshold): NoticeEvent => (threshold === 100 ? 'sla_breach' : 'sla_warning');

/**
 * Who hears that a clock is about to be or has been breached (PROCESS.md, "Who hears
 * what"): every analyst, and the engineer assigned to the order if any. Ids are
 * `${orderId}:sla:${clock}:${threshold}:${recipient}`, so the same threshold always yields
 * the same ids and the outbox relay can never insert it twice.
 */
export function slaNotices(
  order: Pick<ServiceOrder, '_id' | 'engineer'>,
  clock: ClockName,
  threshold: Threshold,
  analysts: readonly { id: string; email: string }[],
  now: Date,
): PendingNotice[] {
  const event = thresholdEvent(threshold);
  const occasion = `sla:${clock}:${threshold}`;
  const people: NoticeDraft[] = analysts.map((a) => ({
    occasion,
    event,
    to: { personId: a.id, email: a.email },
    role: 'analyst',
  }));
  if (order.engineer) people.push({ occasion, event, to: order.engineer, role: 'engineer' });
  return noticesTo(order._id, people, now);
}
