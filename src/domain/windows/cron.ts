import { civilDate, isoWeekday, type DayNumber } from './local-date.js';
import { WindowRuleError } from './rule-error.js';

/**
 * Five-field cron (`minute hour day-of-month month day-of-week`) read as local wall-clock time in the window's
 * zone. Lists, ranges, steps and English names are accepted; 0 and 7 are Sunday. As in Vixie cron, when both
 * day-of-month and day-of-week are restricted a day matches if either matches. `L`, `W`, `#` and `?` are
 * refused: "the second Tuesday" is an RRULE (`FREQ=MONTHLY;BYDAY=2TU`).
 */

export interface CronExpression {
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
  text: string;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesStart?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesStart: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, namesStart: 0 },
];

/** Parses a 5-field cron expression. Throws WindowRuleError naming the field. */
export function parseCron(input: string): CronExpression {
  const fields = input.trim().split(/\s+/);
  if (fields.length !== 5 || input.trim() === '') {
    throw new WindowRuleError(`cron ${JSON.stringify(input)}: expected 5 fields "minute hour day-of-month month day-of-week" (for example "0 2 * * 0"), given ${input.trim() === '' ? 0 : fields.length}`);
  }
  const values = fields.map((field, i) => parseField(field, FIELDS[i] as FieldSpec, input));
  const [minutes, hours, dom, months, dow] = values as [number[], number[], number[], number[], number[]];
  return {
    minutes,
    hours,
    daysOfMonth: new Set(dom),
    months: new Set(months),
    daysOfWeek: new Set(dow.map((d) => d % 7)),
    // Vixie cron treats a field that starts with "*" (also "*/2") as unrestricted for the either-or rule.
    domRestricted: !(fields[2] as string).startsWith('*'),
    dowRestricted: !(fields[4] as string).startsWith('*'),
    text: input,
  };
}

function parseField(field: string, spec: FieldSpec, input: string): number[] {
  const fail = (message: string): never => {
    throw new WindowRuleError(`cron ${JSON.stringify(input)}: ${spec.name} field ${JSON.stringify(field)}: ${message}`);
  };
  if (/[LW#?]/i.test(field)) fail('L, W, # and ? are not supported; for "the second Tuesday" use rrule FREQ=MONTHLY;BYDAY=2TU');
  const result = new Set<number>();
  for (const item of field.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item);
    if (match === null) fail(`expected a value, range a-b, list a,b or step */n, given ${JSON.stringify(item)}`);
    const m = match as RegExpExecArray;
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (step < 1) fail(`expected a step of at least 1, given ${m[3]}`);
    let low: number;
    let high: number;
    if (m[1] === '*') {
      if (m[2] !== undefined) fail(`"*" cannot start a range, given ${JSON.stringify(item)}`);
      [low, high] = [spec.min, spec.name === 'day of week' ? 6 : spec.max];
    } else {
      low = parseValue(m[1] as string, spec, fail);
      high = m[2] !== undefined ? parseValue(m[2], spec, fail) : m[3] !== undefined ? spec.max : low;
    }
    if (low > high) fail(`expected a range from low to high, given ${JSON.stringify(item)}`);
    for (let v = low; v <= high; v += step) result.add(v);
  }
  return [...result].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec, fail: (message: string) => never): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) fail(`expected ${spec.min} to ${spec.max}, given ${text}`);
    return value;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index === -1) fail(`expected a number${spec.names === undefined ? '' : ` or a name (${spec.names.join(' ')})`}, given ${JSON.stringify(text)}`);
  return index + (spec.namesStart ?? 0);
}

/** Whether the cron fires on a local date (at some time of day). */
export function cronMatchesDay(cron: CronExpression, day: DayNumber): boolean {
  const { month, day: dom } = civilDate(day);
  if (!cron.months.has(month)) return false;
  const domOk = cron.daysOfMonth.has(dom);
  const dowOk = cron.daysOfWeek.has(isoWeekday(day) % 7);
  if (cron.domRestricted && cron.dowRestricted) return domOk || dowOk;
  return domOk && dowOk;
}

/** The local minutes-of-day the cron fires at, ascending. */
export function cronMinutesOfDay(cron: CronExpression): number[] {
  return cron.hours.flatMap((h) => cron.minutes.map((m) => h * 60 + m));
}
