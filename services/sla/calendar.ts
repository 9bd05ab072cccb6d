import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { Centre, Weekday } from '../directory/schema';

/** Business hours of one weekday, local wall-clock `HH:MM`. */
export interface DayHours {
  start: string;
  end: string;
}

/**
 * Where and when a centre works. Pure data; build one with `calendarForCentre`.
 * `closedDays` are local dates (`YYYY-MM-DD`) on top of the weekly hours and the official
 * holidays: the judiciary's own non-working days from the directory.
 */
export interface BusinessCalendar {
  zone: string;
  hours: Partial<Record<Weekday, DayHours>>;
  closedDays: readonly string[];
  /** False only for tests that need a calendar without Mexican holidays. */
  officialHolidays?: boolean;
}

const LUXON_WEEKDAYS: Record<number, Weekday> = {
  1: 'mon',
  2: 'tue',
  3: 'wed',
  4: 'thu',
  5: 'fri',
  6: 'sat',
  7: 'sun',
};

let mx: Holidays | undefined;
const holidayCache = new Map<number, ReadonlySet<string>>();

/**
 * Official non-working days of Mexico in `year` (Ley Federal del Trabajo, art. 74): the
 * `public` holidays date-holidays knows for 'MX' (1 Jan, the Mondays for 5 Feb, 21 Mar and
 * 20 Nov, 1 May, 16 Sep, 25 Dec and the presidential transmission). Its `bank` and
 * `observance` days (Holy Thursday and Friday, 2 Nov, 12 Dec, Mother's Day) are not official
 * non-working days; a judiciary that closes on them lists them in the centre's
 * `nonWorkingDays`.
 */
export function mexicanHolidays(year: number): ReadonlySet<string> {
  let days = holidayCache.get(year);
  if (!days) {
    mx ??= new Holidays('MX');
    days = new Set(
      mx
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(year, days);
  }
  return days;
}

/** The calendar of a directory centre: its zone, weekly hours and non-working days. */
export function calendarForCentre(
  centre: Pick<Centre, 'timeZone' | 'businessHours' | 'nonWorkingDays'>,
): BusinessCalendar {
  return { zone: centre.timeZone, hours: centre.businessHours, closedDays: centre.nonWorkingDays ?? [] };
}

/** Business intervals of one local year as epoch ms, sorted, with running totals. */
interface YearTimeline {
  starts: Float64Array;
  ends: Float64Array;
  /** before[i]: business ms in intervals 0..i-1. */
  before: Float64Array;
  total: number;
}

const timelines = new WeakMap<BusinessCalendar, Map<number, YearTimeline>>();
/**
 * Timelines by what a calendar says, so calendars read afresh for each measurement (one per
 * order closed) share the years already built; the few calendars of a directory stay here.
 */
const timelinesByContent = new Map<string, Map<number, YearTimeline>>();

function localTime(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  // Luxon moves a wall time that does not exist (a DST gap) forward, as a clock would.
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

function buildYear(cal: BusinessCalendar, year: number): YearTimeline {
  const closed = new Set(cal.closedDays);
  const official = cal.officialHolidays === false ? new Set<string>() : mexicanHolidays(year);
  const starts: number[] = [];
  const ends: number[] = [];
  for (
    let day = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: cal.zone });
    day.year === year;
    day = day.plus({ days: 1 })
  ) {
    const hours = cal.hours[LUXON_WEEKDAYS[day.weekday]!];
    const iso = day.toISODate()!;
    if (!hours || closed.has(iso) || official.has(iso)) continue;
    const s = localTime(day, hours.start).toMillis();
    const e = localTime(day, hours.end).toMillis();
    if (e > s) {
      starts.push(s);
      ends.push(e);
    }
  }
  const before = new Float64Array(starts.length + 1);
  for (let i = 0; i < starts.length; i += 1) before[i + 1] = before[i]! + (ends[i]! - starts[i]!);
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends), before, total: before[starts.length]! };
}

function timeline(cal: BusinessCalendar, year: number): YearTimeline {
  let years = timelines.get(cal);
  if (!years) {
    const content = JSON.stringify([cal.zone, cal.hours, cal.closedDays, cal.officialHolidays !== false]);
    years = timelinesByContent.get(content) ?? new Map<number, YearTimeline>();
    timelinesByContent.set(content, years);
    timelines.set(cal, years);
  }
  let t = years.get(year);
  if (!t) {
    t = buildYear(cal, year);
    years.set(year, t);
  }
  return t;
}

/** Business ms of the year's timeline before instant `t` (clamped to the year). */
function businessBefore(y: YearTimeline, t: number): number {
  // First interval whose end is after t.
  let lo = 0;
  let hi = y.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (y.ends[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  if (lo === y.starts.length) return y.total;
  return y.before[lo]! + Math.max(0, t - y.starts[lo]!);
}

const yearStarts = new Map<string, number>();

/** Epoch ms at which local `year` starts in `zone`, remembered (zone rules are fixed for a run). */
function yearStart(zone: string, year: number): number {
  const key = `${zone}|${year}`;
  let start = yearStarts.get(key);
  if (start === undefined) {
    start = DateTime.fromObject({ year, month: 1, day: 1 }, { zone }).toMillis();
    yearStarts.set(key, start);
  }
  return start;
}

/** The local year of an instant: UTC year corrected by at most one, without a zone conversion per call. */
function yearOf(ms: number, zone: string): number {
  const utc = new Date(ms).getUTCFullYear();
  if (ms < yearStart(zone, utc)) return utc - 1;
  if (ms >= yearStart(zone, utc + 1)) return utc + 1;
  return utc;
}

/**
 * Business time in ms between two instants in the calendar: the parts of `[start, end)` that
 * fall inside the centre's hours, on working days, in the centre's own zone (so DST changes
 * and zones are those of the centre, whatever the server's zone). `end` before `start` is 0.
 */
export function businessDuration(start: Date, end: Date, cal: BusinessCalendar): number {
  const s = start.getTime();
  const e = end.getTime();
  if (!(e > s)) return 0;
  let total = 0;
  for (let year = yearOf(s, cal.zone); year <= yearOf(e, cal.zone); year += 1) {
    const y = timeline(cal, year);
    total += businessBefore(y, e) - businessBefore(y, s);
  }
  return total;
}

/** Years searched ahead before a calendar is declared to have no business time at all. */
const MAX_YEARS_AHEAD = 10;

/**
 * The instant at which `ms` of business time have passed since `start`: a deadline. With
 * `ms` 0 it is `start` itself. A deadline that uses up a day's hours exactly is that day's
 * closing time, not the next opening. Throws when the calendar has no business time in
 * the next ten years (a directory error, never silently "never").
 */
export function addBusinessTime(start: Date, ms: number, cal: BusinessCalendar): Date {
  const s = start.getTime();
  if (ms <= 0) return new Date(s);
  let left = ms;
  const first = yearOf(s, cal.zone);
  for (let year = first; year < first + MAX_YEARS_AHEAD; year += 1) {
    const y = timeline(cal, year);
    const used = businessBefore(y, s);
    const available = y.total - used;
    if (left > available) {
      left -= available;
      continue;
    }
    const target = used + left;
    // Interval in which the running total reaches `target`.
    let lo = 0;
    let hi = y.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (y.before[mid + 1]! < target) lo = mid + 1;
      else hi = mid;
    }
    return new Date(y.starts[lo]! + (target - y.before[lo]!));
  }
  throw new Error(`calendar ${cal.zone} has no business time in ${MAX_YEARS_AHEAD} years after ${start.toISOString()}`);
}

/** Business or wall-clock duration, as a contract's `hours` says. */
export type TimeBasis = 'business' | 'calendar';

export function durationIn(basis: TimeBasis, start: Date, end: Date, cal: BusinessCalendar): number {
  return basis === 'calendar' ? Math.max(0, end.getTime() - start.getTime()) : businessDuration(start, end, cal);
}

export function deadlineIn(basis: TimeBasis, start: Date, ms: number, cal: BusinessCalendar): Date {
  return basis === 'calendar' ? new Date(start.getTime() + ms) : addBusinessTime(start, ms, cal);
}
