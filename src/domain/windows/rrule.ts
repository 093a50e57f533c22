import { parseDay, type DayNumber, type IsoWeekday } from './local-date.js';
import { WindowRuleError } from './rule-error.js';

/**
 * The subset of RFC 5545 RRULE that maintenance windows use. Times of day come from the window's `start`, so
 * BYHOUR/BYMINUTE/BYSECOND and the sub-daily frequencies are refused rather than half-supported.
 */

export const FREQUENCIES = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface WeekdaySpec {
  weekday: IsoWeekday;
  /** 2 in `2TU` (second Tuesday of the month/year), -1 in `-1SU` (last Sunday); undefined for every such weekday. */
  ordinal?: number;
}

export type RuleUntil = { kind: 'date'; day: DayNumber } | { kind: 'instant'; ms: number } | { kind: 'local'; day: DayNumber; minute: number };

export interface RecurrenceRule {
  freq: Frequency;
  interval: number;
  count?: number;
  until?: RuleUntil;
  byDay: WeekdaySpec[];
  byMonthDay: number[];
  byMonth: number[];
  bySetPos: number[];
  weekStart: IsoWeekday;
  /** The rule as written, for messages. */
  text: string;
}

const SUPPORTED_PARTS = 'FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, WKST';

export function parseWeekdayCode(code: string): IsoWeekday | undefined {
  const index = (WEEKDAY_CODES as readonly string[]).indexOf(code);
  return index === -1 ? undefined : ((index + 1) as IsoWeekday);
}

export function weekdayCode(weekday: IsoWeekday): string {
  return WEEKDAY_CODES[weekday - 1] as string;
}

/** Parses an RRULE value such as `FREQ=MONTHLY;BYDAY=2TU` (an `RRULE:` prefix is accepted). Throws WindowRuleError. */
export function parseRecurrenceRule(input: string): RecurrenceRule {
  const text = input.trim().replace(/^RRULE:/i, '');
  const fail = (message: string): never => {
    throw new WindowRuleError(`rrule ${JSON.stringify(input)}: ${message}`);
  };
  if (text === '') fail('expected FREQ=… and optional parts separated by ";"');
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) fail(`expected NAME=VALUE, given ${JSON.stringify(piece)}`);
    const name = piece.slice(0, eq).trim().toUpperCase();
    const value = piece.slice(eq + 1).trim().toUpperCase();
    if (parts.has(name)) fail(`${name} is given twice`);
    if (value === '') fail(`${name} has no value`);
    parts.set(name, value);
  }
  for (const name of parts.keys()) {
    if (['BYHOUR', 'BYMINUTE', 'BYSECOND'].includes(name)) fail(`${name} is not supported: the time of day comes from the window's start (HH:MM)`);
    if (!SUPPORTED_PARTS.split(', ').includes(name)) fail(`${name} is not supported; supported parts: ${SUPPORTED_PARTS}`);
  }

  const freqText = parts.get('FREQ');
  if (freqText === undefined) fail('expected FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)');
  if (!(FREQUENCIES as readonly string[]).includes(freqText as string)) {
    fail(`expected FREQ to be DAILY, WEEKLY, MONTHLY or YEARLY, given ${freqText}${/LY$/.test(freqText as string) ? ' (for several times a day use a cron expression)' : ''}`);
  }
  const freq = freqText as Frequency;

  const positiveInt = (name: string, max: number): number | undefined => {
    const value = parts.get(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) fail(`expected ${name} to be a whole number from 1 to ${max}, given ${value}`);
    return Number(value);
  };
  const interval = positiveInt('INTERVAL', 1000) ?? 1;
  const count = positiveInt('COUNT', 100_000);

  const intList = (name: string, valid: (n: number) => boolean, allowed: string): number[] => {
    const value = parts.get(name);
    if (value === undefined) return [];
    return value.split(',').map((item) => {
      if (!/^[+-]?\d+$/.test(item) || !valid(Number(item))) fail(`expected ${name} values ${allowed}, given ${item}`);
      return Number(item);
    });
  };
  const byMonthDay = intList('BYMONTHDAY', (n) => n !== 0 && Math.abs(n) <= 31, 'from 1 to 31 or -31 to -1');
  const byMonth = intList('BYMONTH', (n) => n >= 1 && n <= 12, 'from 1 to 12');
  const bySetPos = intList('BYSETPOS', (n) => n !== 0 && Math.abs(n) <= 366, 'from 1 to 366 or -366 to -1');

  const byDay = (parts.get('BYDAY') ?? '').split(',').filter((s) => s !== '').map((item) => {
    const match = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(item);
    const weekday = match === null ? undefined : parseWeekdayCode(match[2] as string);
    if (match === null || weekday === undefined) fail(`expected BYDAY values like TU, 2TU or -1SU (MO TU WE TH FR SA SU), given ${item}`);
    const spec: WeekdaySpec = { weekday: weekday as IsoWeekday };
    if (match?.[1] !== undefined) {
      const ordinal = Number(match[1]);
      const limit = freq === 'YEARLY' && byMonth.length === 0 ? 53 : 5;
      if (freq !== 'MONTHLY' && freq !== 'YEARLY') fail(`BYDAY ordinals such as ${item} need FREQ=MONTHLY or FREQ=YEARLY, given FREQ=${freq}`);
      if (ordinal === 0 || Math.abs(ordinal) > limit) fail(`expected a BYDAY ordinal from 1 to ${limit} or -${limit} to -1, given ${item}`);
      spec.ordinal = ordinal;
    }
    return spec;
  });

  if (freq === 'WEEKLY' && byMonthDay.length > 0) fail('BYMONTHDAY cannot be used with FREQ=WEEKLY (RFC 5545); use FREQ=MONTHLY');
  if (count !== undefined && parts.has('UNTIL')) fail('COUNT and UNTIL exclude each other (RFC 5545); keep one');

  const wkstText = parts.get('WKST') ?? 'MO';
  const weekStart = parseWeekdayCode(wkstText);
  if (weekStart === undefined) fail(`expected WKST to be one of MO TU WE TH FR SA SU, given ${wkstText}`);

  const untilText = parts.get('UNTIL');
  const until = untilText === undefined ? undefined : parseUntil(untilText, fail);

  return { freq, interval, count, until, byDay, byMonthDay, byMonth, bySetPos, weekStart: weekStart as IsoWeekday, text: input };
}

function parseUntil(value: string, fail: (message: string) => never): RuleUntil {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value);
  const day = match === null ? undefined : parseDay(`${match[1]}-${match[2]}-${match[3]}`);
  if (match === null || day === undefined) fail(`expected UNTIL as YYYYMMDD or YYYYMMDDTHHMMSSZ, given ${value}`);
  const m = match as RegExpExecArray;
  if (m[4] === undefined) return { kind: 'date', day: day as number };
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 59) fail(`expected UNTIL with a valid time of day, given ${value}`);
  if (m[7] === 'Z') return { kind: 'instant', ms: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute, second) };
  return { kind: 'local', day: day as number, minute: hour * 60 + minute + (second > 0 ? 1 : 0) };
}

/**
 * Why the rule cannot be expanded without a first date (`starts_on`, the RRULE's DTSTART), or undefined when
 * it can. A phase (INTERVAL > 1), a count, or a day the rule leaves to DTSTART all need one.
 */
export function ruleNeedsAnchor(rule: RecurrenceRule): string | undefined {
  if (rule.count !== undefined) return 'COUNT counts from the first date';
  if (rule.interval > 1) return `INTERVAL=${rule.interval} needs a first date to know which ${rule.freq === 'DAILY' ? 'days' : rule.freq.toLowerCase().replace(/ly$/, 's')} count`;
  const noDaySelector = rule.byDay.length === 0 && rule.byMonthDay.length === 0;
  if (rule.freq === 'WEEKLY' && rule.byDay.length === 0) return 'FREQ=WEEKLY without BYDAY repeats the weekday of the first date';
  if (rule.freq === 'MONTHLY' && noDaySelector) return 'FREQ=MONTHLY without BYDAY or BYMONTHDAY repeats the day of month of the first date';
  if (rule.freq === 'YEARLY' && noDaySelector) return 'FREQ=YEARLY without BYDAY or BYMONTHDAY repeats the date of the first date';
  return undefined;
}
