import { civilDate, dayNumber, daysInMonth, daysInYear, isoWeekday, type DayNumber } from './local-date.js';
import type { RecurrenceRule, WeekdaySpec } from './rrule.js';

/**
 * Expands a rule into local dates (the time of day is the window's business). Each period (day, week, month,
 * year) yields its candidate dates by RFC 5545's expand/limit table, then BYSETPOS picks among them, then
 * dates before the first date (`anchor`), past UNTIL (date form) or past COUNT are dropped.
 */

export interface ExpandRuleOptions {
  /** First local date of the rule (DTSTART). Required by rules for which `ruleNeedsAnchor` says so. */
  anchor?: DayNumber;
  /** Inclusive range of local dates wanted. */
  fromDay: DayNumber;
  toDay: DayNumber;
}

/** Every rule date in [fromDay, toDay], ascending. */
export function expandRuleDates(rule: RecurrenceRule, options: ExpandRuleOptions): DayNumber[] {
  const { anchor, fromDay, toDay } = options;
  const reference = anchor ?? fromDay;
  const anchorPeriod = periodIndex(rule, reference);
  let k =
    rule.count !== undefined || anchor === undefined
      ? 0
      : Math.max(0, Math.floor((periodIndex(rule, fromDay) - anchorPeriod) / rule.interval));
  const untilDay = rule.until?.kind === 'date' ? rule.until.day : rule.until === undefined ? Infinity : rule.until.kind === 'local' ? rule.until.day : Math.floor(rule.until.ms / 86_400_000) + 1;
  const lastDay = Math.min(toDay, untilDay);
  const dates: DayNumber[] = [];
  let counted = 0;
  for (; ; k += 1) {
    const period = anchorPeriod + k * rule.interval;
    if (periodFirstDay(rule, period) > lastDay) break;
    for (const day of applySetPos(rule, candidatesOf(rule, period, reference))) {
      if (anchor !== undefined && day < anchor) continue;
      if (day > untilDay) return dates;
      if (rule.count !== undefined) {
        counted += 1;
        if (counted > rule.count) return dates;
      }
      if (day >= fromDay && day <= toDay) dates.push(day);
    }
  }
  return dates;
}

/** Periods are numbered: days, weeks (starting on WKST), months (year*12+month-1) or years. */
function periodIndex(rule: RecurrenceRule, day: DayNumber): number {
  switch (rule.freq) {
    case 'DAILY':
      return day;
    case 'WEEKLY':
      return Math.floor((day - weekStartOffset(rule)) / 7);
    case 'MONTHLY': {
      const { year, month } = civilDate(day);
      return year * 12 + month - 1;
    }
    case 'YEARLY':
      return civilDate(day).year;
  }
}

// Day number 0 (1970-01-01) is a Thursday; week periods start on WKST.
function weekStartOffset(rule: RecurrenceRule): number {
  return (((rule.weekStart - 4) % 7) + 7) % 7;
}

function periodFirstDay(rule: RecurrenceRule, period: number): DayNumber {
  switch (rule.freq) {
    case 'DAILY':
      return period;
    case 'WEEKLY':
      return period * 7 + weekStartOffset(rule);
    case 'MONTHLY':
      return dayNumber(Math.floor(period / 12), (period % 12) + 1, 1);
    case 'YEARLY':
      return dayNumber(period, 1, 1);
  }
}

function candidatesOf(rule: RecurrenceRule, period: number, reference: DayNumber): DayNumber[] {
  switch (rule.freq) {
    case 'DAILY':
      return dailyCandidates(rule, period);
    case 'WEEKLY':
      return weeklyCandidates(rule, periodFirstDay(rule, period), reference);
    case 'MONTHLY':
      return monthlyCandidates(rule, Math.floor(period / 12), (period % 12) + 1, reference);
    case 'YEARLY':
      return yearlyCandidates(rule, period, reference);
  }
}

function dailyCandidates(rule: RecurrenceRule, day: DayNumber): DayNumber[] {
  const { year, month, day: dom } = civilDate(day);
  if (rule.byMonth.length > 0 && !rule.byMonth.includes(month)) return [];
  if (rule.byMonthDay.length > 0 && !matchesMonthDay(rule.byMonthDay, year, month, dom)) return [];
  if (rule.byDay.length > 0 && !rule.byDay.some((s) => s.weekday === isoWeekday(day))) return [];
  return [day];
}

function weeklyCandidates(rule: RecurrenceRule, weekFirst: DayNumber, reference: DayNumber): DayNumber[] {
  const weekdays = rule.byDay.length > 0 ? rule.byDay.map((s) => s.weekday) : [isoWeekday(reference)];
  const days = weekdays.map((wd) => weekFirst + ((wd - rule.weekStart + 7) % 7));
  return rule.byMonth.length > 0 ? days.filter((d) => rule.byMonth.includes(civilDate(d).month)) : days;
}

function monthlyCandidates(rule: RecurrenceRule, year: number, month: number, reference: DayNumber): DayNumber[] {
  if (rule.byMonth.length > 0 && !rule.byMonth.includes(month)) return [];
  return daysOfMonth(rule, year, month, reference);
}

/** The rule's dates inside one month: BYMONTHDAY expands (BYDAY then limits), else BYDAY expands, else DTSTART's day. */
function daysOfMonth(rule: RecurrenceRule, year: number, month: number, reference: DayNumber): DayNumber[] {
  const first = dayNumber(year, month, 1);
  const length = daysInMonth(year, month);
  if (rule.byMonthDay.length > 0) {
    const days = monthDays(rule.byMonthDay, year, month).map((dom) => first + dom - 1);
    return rule.byDay.length === 0 ? days : days.filter((d) => rule.byDay.some((s) => matchesWeekdayIn(s, d, first, length)));
  }
  if (rule.byDay.length > 0) return rule.byDay.flatMap((s) => weekdaysIn(s, first, length));
  const dom = civilDate(reference).day;
  return dom <= length ? [first + dom - 1] : [];
}

function yearlyCandidates(rule: RecurrenceRule, year: number, reference: DayNumber): DayNumber[] {
  if (rule.byMonth.length > 0) return rule.byMonth.flatMap((month) => daysOfMonth(rule, year, month, reference));
  const first = dayNumber(year, 1, 1);
  const length = daysInYear(year);
  if (rule.byMonthDay.length > 0) {
    const days = Array.from({ length: 12 }, (_, i) => monthDays(rule.byMonthDay, year, i + 1).map((dom) => dayNumber(year, i + 1, dom))).flat();
    return rule.byDay.length === 0 ? days : days.filter((d) => rule.byDay.some((s) => matchesWeekdayIn(s, d, first, length)));
  }
  if (rule.byDay.length > 0) return rule.byDay.flatMap((s) => weekdaysIn(s, first, length));
  const { month, day } = civilDate(reference);
  return day <= daysInMonth(year, month) ? [dayNumber(year, month, day)] : [];
}

/** Resolves BYMONTHDAY values (negative from the end) to days that exist in the month. */
function monthDays(values: readonly number[], year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  return values.map((v) => (v > 0 ? v : length + 1 + v)).filter((dom) => dom >= 1 && dom <= length);
}

function matchesMonthDay(values: readonly number[], year: number, month: number, dom: number): boolean {
  return monthDays(values, year, month).includes(dom);
}

/** The days of one BYDAY entry in a span (a month or a year): all such weekdays, or the nth from the start or end. */
function weekdaysIn(spec: WeekdaySpec, first: DayNumber, length: number): DayNumber[] {
  const firstMatch = first + ((spec.weekday - isoWeekday(first) + 7) % 7);
  const last = first + length - 1;
  if (spec.ordinal === undefined) {
    const days: DayNumber[] = [];
    for (let d = firstMatch; d <= last; d += 7) days.push(d);
    return days;
  }
  const day = spec.ordinal > 0 ? firstMatch + 7 * (spec.ordinal - 1) : last - ((isoWeekday(last) - spec.weekday + 7) % 7) + 7 * (spec.ordinal + 1);
  return day >= first && day <= last ? [day] : [];
}

function matchesWeekdayIn(spec: WeekdaySpec, day: DayNumber, first: DayNumber, length: number): boolean {
  if (isoWeekday(day) !== spec.weekday) return false;
  if (spec.ordinal === undefined) return true;
  return weekdaysIn(spec, first, length).includes(day);
}

function applySetPos(rule: RecurrenceRule, candidates: DayNumber[]): DayNumber[] {
  const sorted = [...new Set(candidates)].sort((a, b) => a - b);
  if (rule.bySetPos.length === 0) return sorted;
  const picked = new Set<DayNumber>();
  for (const pos of rule.bySetPos) {
    const day = pos > 0 ? sorted[pos - 1] : sorted[sorted.length + pos];
    if (day !== undefined) picked.add(day);
  }
  return [...picked].sort((a, b) => a - b);
}
