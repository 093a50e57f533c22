export { WindowRuleError } from './rule-error.js';
export {
  MS_PER_DAY,
  MS_PER_MINUTE,
  civilDate,
  dayNumber,
  daysInMonth,
  formatDay,
  isoWeekday,
  parseDay,
  parseLocalTime,
  type CivilDate,
  type DayNumber,
  type IsoWeekday,
} from './local-date.js';
export {
  formatBasicUtc,
  formatInstantInZone,
  isRepeatedLocalTime,
  isValidZone,
  localDateOf,
  localDayOf,
  localToInstant,
  offsetAt,
} from './zoned-time.js';
export { parseRecurrenceRule, ruleNeedsAnchor, weekdayCode, FREQUENCIES, type Frequency, type RecurrenceRule, type WeekdaySpec } from './rrule.js';
export { expandRuleDates } from './rrule-expand.js';
export { cronMatchesDay, cronMinutesOfDay, parseCron, type CronExpression } from './cron.js';
export { compileRecurrence, firstStartFrom, recurrenceStarts, type CompiledRecurrence, type RecurrenceSpec, type RecurrenceStart } from './recurrence.js';
export { occurrenceId, parseOccurrenceId } from './occurrence-id.js';
