import { DateTime } from 'luxon';
import type { BusinessCalendar } from '../../../services/sla/calendar';
import type { ClockOrder } from '../../../services/sla/clocks';
import type { Priority, ServiceOrder } from '../../../services/orders/types';
import type { OrderStatus } from '../../../services/workflow';
import { FIRST_ENTERED } from '../../support/order-life';

const weekdays = (start: string, end: string): BusinessCalendar['hours'] =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { start, end }]));

/** Mexico City, Monday to Friday 09:00–18:00, as the example directory's CJPF-CDMX. */
export const CDMX: BusinessCalendar = {
  zone: 'America/Mexico_City',
  hours: weekdays('09:00', '18:00'),
  closedDays: ['2026-09-16', '2026-11-16', '2026-12-25'],
};

export const H = 3600_000;
export const M = 60_000;

/** A wall-clock time in Mexico City. */
export const cdmx = (local: string) => DateTime.fromISO(local, { zone: CDMX.zone }).toJSDate();

/** An order whose life is the given states entered at the given Mexico City times. */
export function life(steps: [OrderStatus, string][], priority: Priority = 'high'): ClockOrder {
  const timestamps: ServiceOrder['timestamps'] = {};
  const history = steps.map(([to, local]) => {
    const at = cdmx(local);
    const key = FIRST_ENTERED[to];
    if (key && !timestamps[key]) timestamps[key] = at;
    return { at, to };
  });
  return { status: steps[steps.length - 1]![0], priority, timestamps, history };
}
