import { DateTime } from 'luxon';
import type { Centre } from '../directory/schema';
import { REOPEN_BUSINESS_DAYS } from '../notifications/messages';
import { BusinessCalendar, businessDuration, calendarForCentre } from '../sla/calendar';
import type { ServiceOrder } from './types';

export { REOPEN_BUSINESS_DAYS };

/** The longest run of closed days searched (a long holiday season plus weekends). */
const MAX_DAYS_SEARCHED = 60;

/**
 * The end of the `days`-th business day of the centre after the day `closedAt` falls on, in
 * the centre's zone: a requester who closes on a Friday afternoon still has the whole of the
 * following week. A business day is one with any opening hours left after holidays and the
 * centre's non-working days (the same calendar the SLA clocks use).
 */
export function reopenDeadline(closedAt: Date, cal: BusinessCalendar, days = REOPEN_BUSINESS_DAYS): Date {
  let day = DateTime.fromJSDate(closedAt, { zone: cal.zone }).startOf('day');
  let counted = 0;
  for (let i = 0; i < MAX_DAYS_SEARCHED && counted < days; i += 1) {
    day = day.plus({ days: 1 });
    const next = day.plus({ days: 1 });
    if (businessDuration(day.toJSDate(), next.toJSDate(), cal) > 0) counted += 1;
  }
  return day.plus({ days: 1 }).toJSDate();
}

/**
 * Whether the requester of a closed order may still reopen it at `now`: `open` within the
 * window, `passed` after it (a new report, linked to this one, is the way then). An order
 * without a closure time is past any window.
 */
export function reopenWindow(
  order: Pick<ServiceOrder, 'status' | 'timestamps' | 'history'>,
  centre: Pick<Centre, 'timeZone' | 'businessHours' | 'nonWorkingDays'> | null,
  now: Date,
): 'open' | 'passed' {
  const closedAt = lastClosure(order);
  if (order.status !== 'closed' || !closedAt || !centre) return 'passed';
  return now.getTime() < reopenDeadline(closedAt, calendarForCentre(centre)).getTime() ? 'open' : 'passed';
}

/** When the order was last closed: after a reopening, the window runs from the new closure. */
function lastClosure(order: Pick<ServiceOrder, 'timestamps' | 'history'>): Date | undefined {
  for (let i = order.history.length - 1; i >= 0; i -= 1) {
    const h = order.history[i]!;
    if (h.to === 'closed' && h.action !== 'notification') return h.at;
  }
  return order.timestamps.closedAt;
}
