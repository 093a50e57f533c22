import { cronMatchesDay, cronMinutesOfDay, parseCron, type CronExpression } from './cron.js';
import { MS_PER_DAY, parseDay, parseLocalTime, type DayNumber } from './local-date.js';
import { expandRuleDates } from './rrule-expand.js';
import { parseRecurrenceRule, ruleNeedsAnchor, type RecurrenceRule } from './rrule.js';
import { WindowRuleError } from './rule-error.js';
import { localDayOf, localToInstant } from './zoned-time.js';

/**
 * When a window starts: an RRULE date plus a local start time, or a cron expression, shifted by whole days
 * (`offset_days`), read in the window's zone. This is where rule dates become instants.
 */

export interface RecurrenceSpec {
  rrule?: string;
  cron?: string;
  /** Local start `HH:MM`; required with rrule. */
  start?: string;
  /** Whole days after the rule's date, -6..6; may cross a month end. */
  offsetDays?: number;
  /** First local date `YYYY-MM-DD` of the rule (its DTSTART). */
  startsOn?: string;
}

export type CompiledRecurrence =
  | { kind: 'rrule'; rule: RecurrenceRule; startMinute: number; offsetDays: number; anchor?: DayNumber }
  | { kind: 'cron'; cron: CronExpression; offsetDays: number; anchor?: DayNumber };

/** Parses and checks a recurrence. Throws WindowRuleError with a message for the config's author. */
export function compileRecurrence(spec: RecurrenceSpec): CompiledRecurrence {
  const offsetDays = spec.offsetDays ?? 0;
  if (!Number.isInteger(offsetDays) || Math.abs(offsetDays) > 6) throw new WindowRuleError(`expected offset_days to be a whole number from -6 to 6, given ${offsetDays}`);
  let anchor: DayNumber | undefined;
  if (spec.startsOn !== undefined) {
    anchor = parseDay(spec.startsOn);
    if (anchor === undefined) throw new WindowRuleError(`expected starts_on as a date YYYY-MM-DD, given ${JSON.stringify(spec.startsOn)}`);
  }
  if ((spec.rrule === undefined) === (spec.cron === undefined)) throw new WindowRuleError('expected exactly one of rrule or cron');
  if (spec.cron !== undefined) return { kind: 'cron', cron: parseCron(spec.cron), offsetDays, anchor };
  const rule = parseRecurrenceRule(spec.rrule as string);
  const startMinute = spec.start === undefined ? undefined : parseLocalTime(spec.start);
  if (startMinute === undefined) throw new WindowRuleError(`expected a local start time HH:MM with rrule, given ${JSON.stringify(spec.start ?? null)}`);
  const needs = ruleNeedsAnchor(rule);
  if (needs !== undefined && anchor === undefined) {
    throw new WindowRuleError(`rrule ${JSON.stringify(spec.rrule)}: ${needs}; add starts_on: YYYY-MM-DD (the first date, like DTSTART)`);
  }
  return { kind: 'rrule', rule, startMinute, offsetDays, anchor };
}

export interface RecurrenceStart {
  /** The start instant, epoch milliseconds. */
  startMs: number;
  /** The local date the rule produced, before `offset_days`. */
  ruleDay: DayNumber;
}

/**
 * Every start in [fromMs, toMs), ascending and without duplicates (a cron that names both 02:00 and 03:00
 * meets itself on the spring-forward day; it starts once).
 */
export function recurrenceStarts(recurrence: CompiledRecurrence, zone: string, fromMs: number, toMs: number): RecurrenceStart[] {
  if (toMs <= fromMs) return [];
  // Two days of slack each side cover offsets up to ±14 h and a start pushed over midnight by a gap.
  const fromDay = localDayOf(fromMs, zone) - recurrence.offsetDays - 2;
  const toDay = localDayOf(toMs, zone) - recurrence.offsetDays + 2;
  const starts: RecurrenceStart[] = [];
  const push = (ruleDay: DayNumber, minute: number): void => {
    const startMs = localToInstant(ruleDay + recurrence.offsetDays, minute, zone);
    if (startMs >= fromMs && startMs < toMs) starts.push({ startMs, ruleDay });
  };
  if (recurrence.kind === 'rrule') {
    const { rule, startMinute, anchor } = recurrence;
    for (const day of expandRuleDates(rule, { anchor, fromDay, toDay })) {
      if (!withinUntil(rule, day, startMinute, zone)) continue;
      push(day, startMinute);
    }
    return starts;
  }
  const minutes = cronMinutesOfDay(recurrence.cron);
  const first = recurrence.anchor === undefined ? fromDay : Math.max(fromDay, recurrence.anchor);
  for (let day = first; day <= toDay; day += 1) {
    if (!cronMatchesDay(recurrence.cron, day)) continue;
    for (const minute of minutes) push(day, minute);
  }
  return dedupeSorted(starts);
}

function withinUntil(rule: RecurrenceRule, day: DayNumber, startMinute: number, zone: string): boolean {
  const until = rule.until;
  if (until === undefined || until.kind === 'date') return true;
  if (until.kind === 'local') return day < until.day || (day === until.day && startMinute <= until.minute);
  return localToInstant(day, startMinute, zone) <= until.ms;
}

function dedupeSorted(starts: RecurrenceStart[]): RecurrenceStart[] {
  starts.sort((a, b) => a.startMs - b.startMs);
  return starts.filter((s, i) => i === 0 || (starts[i - 1] as RecurrenceStart).startMs !== s.startMs);
}

/** The earliest start at or after `fromMs`, searching at most `horizonDays`; undefined when there is none. */
export function firstStartFrom(recurrence: CompiledRecurrence, zone: string, fromMs: number, horizonDays: number): RecurrenceStart | undefined {
  const end = fromMs + horizonDays * MS_PER_DAY;
  // Growing chunks: a window that fires every few minutes is found in the first day, a leap-day rule in years.
  let begin = fromMs;
  for (let days = 2; begin < end; days = Math.min(days * 4, 366)) {
    const until = Math.min(begin + days * MS_PER_DAY, end);
    const found = recurrenceStarts(recurrence, zone, begin, until)[0];
    if (found !== undefined) return found;
    begin = until;
  }
  return undefined;
}
