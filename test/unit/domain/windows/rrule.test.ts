import { describe, expect, it } from 'vitest';
import { expandRuleDates, formatDay, parseDay, parseRecurrenceRule, WindowRuleError } from '../../../../src/domain/windows/index.js';

const dates = (rule: string, from: string, to: string, anchor?: string): string[] =>
  expandRuleDates(parseRecurrenceRule(rule), { fromDay: parseDay(from) as number, toDay: parseDay(to) as number, anchor: anchor === undefined ? undefined : parseDay(anchor) }).map(formatDay);

describe('RRULE parsing', () => {
  it('reads every supported part', () => {
    const rule = parseRecurrenceRule('RRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=3,11;BYDAY=-1SU,2TU;BYSETPOS=1;WKST=SU;UNTIL=20301231T230000Z');
    expect(rule).toMatchObject({ freq: 'YEARLY', interval: 2, byMonth: [3, 11], bySetPos: [1], weekStart: 7, until: { kind: 'instant', ms: Date.parse('2030-12-31T23:00:00Z') } });
    expect(rule.byDay).toEqual([{ weekday: 7, ordinal: -1 }, { weekday: 2, ordinal: 2 }]);
  });

  it.each([
    ['', /expected FREQ/],
    ['BYDAY=TU', /expected FREQ/],
    ['FREQ=HOURLY', /DAILY, WEEKLY, MONTHLY or YEARLY, given HOURLY \(for several times a day use a cron expression\)/],
    ['FREQ=DAILY;BYHOUR=2', /BYHOUR is not supported: the time of day comes from the window's start/],
    ['FREQ=MONTHLY;BYWEEKNO=2', /BYWEEKNO is not supported; supported parts/],
    ['FREQ=MONTHLY;BYDAY=6TU', /ordinal from 1 to 5/],
    ['FREQ=MONTHLY;BYDAY=2XX', /expected BYDAY values like TU, 2TU or -1SU/],
    ['FREQ=WEEKLY;BYDAY=2TU', /ordinals such as 2TU need FREQ=MONTHLY or FREQ=YEARLY/],
    ['FREQ=MONTHLY;BYMONTHDAY=0', /BYMONTHDAY values from 1 to 31/],
    ['FREQ=MONTHLY;BYMONTH=13', /BYMONTH values from 1 to 12/],
    ['FREQ=DAILY;COUNT=3;UNTIL=20260101', /COUNT and UNTIL exclude each other/],
    ['FREQ=DAILY;UNTIL=2026-01-01', /UNTIL as YYYYMMDD/],
    ['FREQ=DAILY;INTERVAL=0', /INTERVAL to be a whole number from 1/],
    ['FREQ=DAILY;FREQ=WEEKLY', /FREQ is given twice/],
    ['FREQ=WEEKLY;BYMONTHDAY=1', /BYMONTHDAY cannot be used with FREQ=WEEKLY/],
  ])('refuses %j with a message that says what to write', (text, message) => {
    expect(() => parseRecurrenceRule(text)).toThrow(WindowRuleError);
    expect(() => parseRecurrenceRule(text)).toThrow(message);
  });
});

describe('RRULE expansion to local dates', () => {
  it('"2TU" is the second Tuesday of the month, not the Tuesday of the second week', () => {
    // September 2026 starts on a Tuesday: the Tuesday of the second calendar week would be 09-08 too, but
    // June 2025 (Automox's example) starts on a Sunday: the second Monday is 06-09.
    expect(dates('FREQ=MONTHLY;BYDAY=2MO', '2025-06-01', '2025-06-30')).toEqual(['2025-06-09']);
    expect(dates('FREQ=MONTHLY;BYDAY=2TU', '2025-09-01', '2025-09-30')).toEqual(['2025-09-09']);
    expect(dates('FREQ=MONTHLY;BYDAY=3TU', '2026-03-01', '2026-03-31')).toEqual(['2026-03-17']);
  });

  it('negative ordinals count from the end of the month', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=-1SU', '2026-01-01', '2026-04-30')).toEqual(['2026-01-25', '2026-02-22', '2026-03-29', '2026-04-26']);
    expect(dates('FREQ=MONTHLY;BYDAY=-2FR', '2026-07-01', '2026-07-31')).toEqual(['2026-07-24']);
  });

  it('BYMONTHDAY skips months without that day and counts negative days from the end', () => {
    expect(dates('FREQ=MONTHLY;BYMONTHDAY=31', '2026-01-01', '2026-06-30')).toEqual(['2026-01-31', '2026-03-31', '2026-05-31']);
    expect(dates('FREQ=MONTHLY;BYMONTHDAY=-1', '2028-01-01', '2028-03-31')).toEqual(['2028-01-31', '2028-02-29', '2028-03-31']);
  });

  it('BYSETPOS picks from the period: last weekday of the month', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2026-01-01', '2026-05-31')).toEqual(['2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29']);
  });

  it('BYMONTHDAY with BYDAY limits: Friday the 13th', () => {
    expect(dates('FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', '2026-01-01', '2026-12-31')).toEqual(['2026-02-13', '2026-03-13', '2026-11-13']);
  });

  it('YEARLY with BYMONTH and an ordinal BYDAY; leap day only in leap years', () => {
    expect(dates('FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', '2026-01-01', '2028-12-31')).toEqual(['2026-11-26', '2027-11-25', '2028-11-23']);
    expect(dates('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', '2026-01-01', '2032-12-31')).toEqual(['2028-02-29', '2032-02-29']);
    expect(dates('FREQ=YEARLY;BYDAY=1MO', '2026-01-01', '2027-12-31')).toEqual(['2026-01-05', '2027-01-04']);
  });

  it('INTERVAL keeps the phase of the first date, and WKST sets where weeks begin', () => {
    expect(dates('FREQ=WEEKLY;INTERVAL=2;BYDAY=SA', '2026-02-01', '2026-03-15', '2026-01-03')).toEqual(['2026-02-14', '2026-02-28', '2026-03-14']);
    // RFC 5545's WKST example: every other week on TU and SU from Tue 1997-08-05.
    expect(dates('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO', '1997-08-01', '1997-09-30', '1997-08-05')).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(dates('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU', '1997-08-01', '1997-09-30', '1997-08-05')).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
    expect(dates('FREQ=MONTHLY;INTERVAL=3', '2026-01-01', '2026-12-31', '2026-02-10')).toEqual(['2026-02-10', '2026-05-10', '2026-08-10', '2026-11-10']);
  });

  it('COUNT counts from the first date even when the range starts later; UNTIL (date) is inclusive', () => {
    expect(dates('FREQ=DAILY;COUNT=5', '2026-01-03', '2026-01-31', '2026-01-01')).toEqual(['2026-01-03', '2026-01-04', '2026-01-05']);
    expect(dates('FREQ=WEEKLY;BYDAY=MO;UNTIL=20260119', '2026-01-01', '2026-02-28')).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
  });

  it('DAILY with BYDAY and BYMONTH limits', () => {
    expect(dates('FREQ=DAILY;BYDAY=SA,SU;BYMONTH=2', '2026-01-25', '2026-02-10')).toEqual(['2026-02-01', '2026-02-07', '2026-02-08']);
  });
});
