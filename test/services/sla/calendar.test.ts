import { DateTime } from 'luxon';
import { addBusinessTime, BusinessCalendar, businessDuration, mexicanHolidays } from '../../../services/sla/calendar';

const weekdays = (start: string, end: string): BusinessCalendar['hours'] =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { start, end }]));

const CDMX: BusinessCalendar = {
  zone: 'America/Mexico_City',
  hours: weekdays('09:00', '18:00'),
  closedDays: ['2026-04-02', '2026-04-03'],
};
const TIJUANA: BusinessCalendar = { zone: 'America/Tijuana', hours: weekdays('08:00', '17:00'), closedDays: [] };
const CANCUN: BusinessCalendar = { zone: 'America/Cancun', hours: weekdays('09:00', '18:00'), closedDays: [] };
/** Open all day on Sundays only: shows the length of a DST-change day. */
const TIJUANA_SUNDAYS: BusinessCalendar = {
  zone: 'America/Tijuana',
  hours: { sun: { start: '00:00', end: '23:59' } },
  closedDays: [],
};

/** A local wall-clock time in the calendar's zone. */
const at = (cal: BusinessCalendar, local: string) => DateTime.fromISO(local, { zone: cal.zone }).toJSDate();
const H = 3600_000;
const M = 60_000;

describe('mexicanHolidays', () => {
  it('keeps the official non-working days of LFT art. 74 and drops bank days and observances', () => {
    const days = mexicanHolidays(2026);
    for (const d of ['2026-01-01', '2026-02-02', '2026-03-16', '2026-05-01', '2026-09-16', '2026-11-16', '2026-12-25'])
      expect(days).toContain(d);
    for (const d of ['2026-04-02', '2026-04-03', '2026-05-10', '2026-11-02', '2026-12-12'])
      expect(days).not.toContain(d);
  });
});

describe('businessDuration', () => {
  it.each<[string, BusinessCalendar, string, string, number]>([
    ['counts a span inside one day', CDMX, '2026-03-02T10:00', '2026-03-02T12:30', 2.5 * H],
    ['starts counting at opening when reported before hours', CDMX, '2026-03-02T07:00', '2026-03-02T10:00', 1 * H],
    ['stops counting at closing when it ends after hours', CDMX, '2026-03-02T17:00', '2026-03-02T22:00', 1 * H],
    ['skips a weekend', CDMX, '2026-03-06T17:00', '2026-03-09T10:00', 2 * H],
    [
      'skips an official holiday (Benito Juárez, third Monday of March)',
      CDMX,
      '2026-03-13T17:00',
      '2026-03-17T10:00',
      2 * H,
    ],
    [
      "skips the judiciary's own non-working days from the directory",
      CDMX,
      '2026-04-01T17:00',
      '2026-04-06T10:00',
      2 * H,
    ],
    ['spans months: 8 weeks less Constitution Day', CDMX, '2026-01-05T09:00', '2026-03-02T09:00', 39 * 9 * H],
    ['is zero when both ends fall outside hours on a weekend', CDMX, '2026-03-07T10:00', '2026-03-08T12:00', 0],
    ['is zero when the end is before the start', CDMX, '2026-03-03T12:00', '2026-03-02T12:00', 0],
    [
      'counts Tijuana hours in local time across the start of DST',
      TIJUANA,
      '2026-03-06T16:00',
      '2026-03-09T09:00',
      2 * H,
    ],
    [
      'counts Tijuana hours in local time across the end of DST',
      TIJUANA,
      '2026-10-30T16:00',
      '2026-11-02T09:00',
      2 * H,
    ],
    [
      'sees the 23-hour day when DST starts in Tijuana',
      TIJUANA_SUNDAYS,
      '2026-03-08T00:00',
      '2026-03-08T23:59',
      22 * H + 59 * M,
    ],
    [
      'sees the 25-hour day when DST ends in Tijuana',
      TIJUANA_SUNDAYS,
      '2026-11-01T00:00',
      '2026-11-01T23:59',
      24 * H + 59 * M,
    ],
    ['counts Cancún hours in its own zone (UTC-5 all year)', CANCUN, '2026-03-02T17:00', '2026-03-03T10:00', 2 * H],
    ['crosses the new year and its holiday', CDMX, '2026-12-31T17:00', '2027-01-04T10:00', 2 * H],
  ])('%s', (_name, cal, start, end, expected) => {
    expect(businessDuration(at(cal, start), at(cal, end), cal)).toBe(expected);
  });

  it('gives different answers for the same instants in Cancún and Mexico City', () => {
    const start = new Date('2026-03-02T23:30:00Z');
    const end = new Date('2026-03-03T15:00:00Z');
    expect(businessDuration(start, end, CANCUN)).toBe(1 * H); // 18:30 → 10:00 local
    expect(businessDuration(start, end, CDMX)).toBe(0.5 * H); // 17:30 → 09:00 local
  });
});

describe('addBusinessTime', () => {
  it.each<[string, BusinessCalendar, string, number, string]>([
    ['carries the rest of the day over the weekend', CDMX, '2026-03-06T17:00', 2 * H, '2026-03-09T10:00'],
    ['ends at closing time when the hours are used up exactly', CDMX, '2026-03-02T09:00', 9 * H, '2026-03-02T18:00'],
    ['skips a holiday Monday', CDMX, '2026-03-13T17:30', 1 * H, '2026-03-17T09:30'],
    ['starts at the next opening when it starts outside hours', CDMX, '2026-03-07T11:00', 30 * M, '2026-03-09T09:30'],
    ['lands in daylight time after the DST change in Tijuana', TIJUANA, '2026-03-06T16:30', 1 * H, '2026-03-09T08:30'],
    ['crosses the year and New Year holiday', CDMX, '2026-12-31T17:00', 2 * H, '2027-01-04T10:00'],
    ['returns the start for zero', CDMX, '2026-03-07T11:00', 0, '2026-03-07T11:00'],
    ['reaches a month ahead', CDMX, '2026-01-05T09:00', 39 * 9 * H, '2026-02-27T18:00'],
  ])('%s', (_name, cal, start, ms, expected) => {
    expect(addBusinessTime(at(cal, start), ms, cal).toISOString()).toBe(at(cal, expected).toISOString());
  });

  it('is the inverse of businessDuration for starts inside and outside hours', () => {
    for (const cal of [CDMX, TIJUANA, CANCUN]) {
      for (const start of ['2026-03-06T16:10', '2026-03-08T03:00', '2026-10-30T12:00', '2026-12-24T20:00']) {
        for (const ms of [1, 15 * M, 4 * H, 30 * H, 200 * H]) {
          const s = at(cal, start);
          expect(businessDuration(s, addBusinessTime(s, ms, cal), cal)).toBe(ms);
        }
      }
    }
  });

  it('refuses a calendar without any business time instead of looping forever', () => {
    expect(() =>
      addBusinessTime(new Date('2026-03-02T12:00:00Z'), H, { zone: 'America/Mexico_City', hours: {}, closedDays: [] }),
    ).toThrow(/no business time/);
  });
});
