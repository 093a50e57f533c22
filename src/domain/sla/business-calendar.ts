import { DateTime } from 'luxon';
import { AppError } from '../../errors.js';

export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/**
 * When a contract's SLA clock runs: `24x7`, or business hours on some weekdays, local to the customer's zone.
 * Holidays are local dates on which a business-hours clock stands still; a 24x7 contract ignores them (round
 * the clock means every day).
 */
export interface BusinessCalendar {
  timezone: string;
  hours: '24x7' | { days: readonly WeekdayName[]; start: string; end: string };
  holidays: readonly string[];
}

/** Far enough for any SLA target; a calendar with no business day in ten years is a configuration mistake. */
const MAX_DAYS_SCANNED = 3660;

/**
 * The business intervals that end after `from`, in order, the first one clipped to start at `from`.
 * A local start or end that does not exist on a DST day moves forward (luxon's rule), so a day with business
 * hours across the spring-forward gap is one hour shorter; a repeated hour counts once.
 */
export function* businessIntervalsFrom(calendar: BusinessCalendar, from: Date): Generator<[number, number]> {
  const fromMs = from.getTime();
  if (calendar.hours === '24x7') {
    yield [fromMs, Number.POSITIVE_INFINITY];
    return;
  }
  const { days, start, end } = calendar.hours;
  if (end <= start) {
    throw new AppError('input-invalid', `business hours ${start}-${end} in ${calendar.timezone}: expected the end after the start on the same day; hours across midnight are not supported, use 24x7 or end at 23:59`);
  }
  const holidays = new Set(calendar.holidays);
  let day = DateTime.fromMillis(fromMs, { zone: calendar.timezone }).startOf('day');
  if (!day.isValid) throw new AppError('input-invalid', `business calendar: expected an IANA time zone, given ${JSON.stringify(calendar.timezone)}`);
  for (let scanned = 0; scanned < MAX_DAYS_SCANNED; scanned += 1, day = day.plus({ days: 1 })) {
    const date = day.toISODate() as string;
    if (holidays.has(date) || !days.includes(WEEKDAY_NAMES[day.weekday - 1] as WeekdayName)) continue;
    const startMs = DateTime.fromISO(`${date}T${start}`, { zone: calendar.timezone }).toMillis();
    const endMs = DateTime.fromISO(`${date}T${end}`, { zone: calendar.timezone }).toMillis();
    if (endMs <= fromMs) continue;
    yield [Math.max(startMs, fromMs), endMs];
  }
  throw new AppError('input-invalid', `business calendar in ${calendar.timezone} has no business hours in ${MAX_DAYS_SCANNED} days after ${from.toISOString()}; check its days and holidays`);
}

/**
 * The instant `ms` of business time after `start`. A target that uses up a day's hours exactly ends at that
 * day's closing time, not at the next opening.
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, ms: number): Date {
  if (ms < 0) throw new AppError('input-invalid', `addBusinessTime: expected a duration of zero or more, given ${ms} ms`);
  let remaining = ms;
  for (const [intervalStart, intervalEnd] of businessIntervalsFrom(calendar, start)) {
    if (remaining <= intervalEnd - intervalStart) return new Date(intervalStart + remaining);
    remaining -= intervalEnd - intervalStart;
  }
  /* c8 ignore next: businessIntervalsFrom throws before running out */
  throw new AppError('internal', 'addBusinessTime: ran out of business intervals');
}

/** Business time between two instants; zero when `to` is not after `from`. */
export function businessTimeBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const toMs = to.getTime();
  if (toMs <= from.getTime()) return 0;
  let total = 0;
  for (const [intervalStart, intervalEnd] of businessIntervalsFrom(calendar, from)) {
    if (intervalStart >= toMs) break;
    total += Math.min(intervalEnd, toMs) - intervalStart;
    if (intervalEnd >= toMs) break;
  }
  return total;
}
