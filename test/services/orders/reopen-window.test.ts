import { reopenDeadline, reopenWindow } from '../../../services/orders/reopen-window';
import type { ServiceOrder } from '../../../services/orders/types';

const hours = { start: '09:00', end: '18:00' };
const CENTRE = {
  timeZone: 'America/Mexico_City',
  businessHours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  nonWorkingDays: ['2026-11-18'],
};
const cal = { zone: CENTRE.timeZone, hours: CENTRE.businessHours, closedDays: CENTRE.nonWorkingDays };

describe('the reopening window', () => {
  it('ends with the fifth business day after the closure day, skipping weekends, official holidays and the centre’s own days', () => {
    // Friday 13 Nov 2026, 14:00 in Mexico City; Monday 16 is an official holiday, Wednesday 18 the centre's.
    const closedAt = new Date('2026-11-13T20:00:00Z');
    // Business days: Tue 17, Thu 19, Fri 20, Mon 23, Tue 24 → the window ends at midnight starting Wed 25.
    expect(reopenDeadline(closedAt, cal).toISOString()).toBe('2026-11-25T06:00:00.000Z');
  });

  it('is open before the deadline and passed after it, or for an order that is not closed', () => {
    const closedAt = new Date('2026-11-13T20:00:00Z');
    const order = {
      status: 'closed',
      timestamps: { closedAt },
      history: [{ at: closedAt, action: 'close', to: 'closed' }],
    } as unknown as ServiceOrder;
    expect(reopenWindow(order, CENTRE, new Date('2026-11-25T05:59:00Z'))).toBe('open');
    expect(reopenWindow(order, CENTRE, new Date('2026-11-25T06:00:00Z'))).toBe('passed');
    expect(reopenWindow({ ...order, status: 'desk' }, CENTRE, new Date('2026-11-16T00:00:00Z'))).toBe('passed');
  });
});
