import { describe, expect, it } from 'vitest';
import { compileRecurrence, cronMatchesDay, formatInstantInZone, parseCron, parseDay, recurrenceStarts, WindowRuleError } from '../../../../src/domain/windows/index.js';

const starts = (cron: string, zone: string, from: string, to: string): string[] =>
  recurrenceStarts(compileRecurrence({ cron }), zone, Date.parse(from), Date.parse(to)).map((s) => formatInstantInZone(s.startMs, zone));

describe('cron expressions in the window zone', () => {
  it('reads lists, ranges, steps and names; 7 is Sunday', () => {
    const cron = parseCron('0,30 1-3/2 * JAN-MAR sun,7');
    expect(cron.minutes).toEqual([0, 30]);
    expect(cron.hours).toEqual([1, 3]);
    expect([...cron.months]).toEqual([1, 2, 3]);
    expect([...cron.daysOfWeek]).toEqual([0]);
  });

  it('matches day-of-month OR day-of-week when both are restricted (Vixie cron)', () => {
    const cron = parseCron('0 2 13 * 5');
    expect(cronMatchesDay(cron, parseDay('2026-03-13') as number)).toBe(true); // the 13th (a Friday)
    expect(cronMatchesDay(cron, parseDay('2026-04-13') as number)).toBe(true); // the 13th (a Monday)
    expect(cronMatchesDay(cron, parseDay('2026-04-17') as number)).toBe(true); // a Friday
    expect(cronMatchesDay(cron, parseDay('2026-04-14') as number)).toBe(false);
  });

  it('fires on local wall-clock time across DST: 02:00 on the spring-forward Sunday becomes 03:00', () => {
    expect(starts('0 2 * * 0', 'America/New_York', '2026-03-01T00:00:00Z', '2026-03-16T00:00:00Z')).toEqual([
      '2026-03-01T02:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-15T02:00:00-04:00',
    ]);
  });

  it('starts once when the gap makes two cron times meet, and once in a repeated hour', () => {
    expect(starts('30 2,3 * * *', 'Europe/Amsterdam', '2026-03-28T22:00:00Z', '2026-03-29T06:00:00Z')).toEqual(['2026-03-29T03:30:00+02:00']);
    expect(starts('30 2 * * *', 'Europe/Amsterdam', '2026-10-24T22:00:00Z', '2026-10-25T06:00:00Z')).toEqual(['2026-10-25T02:30:00+02:00']);
  });

  it.each([
    ['0 2 * *', /expected 5 fields/],
    ['0 2 * * 2#2', /L, W, # and \? are not supported; for "the second Tuesday" use rrule FREQ=MONTHLY;BYDAY=2TU/],
    ['61 2 * * *', /minute field "61": expected 0 to 59, given 61/],
    ['0 2 * * FUN', /day of week field "FUN": expected a number or a name/],
    ['0 5-2 * * *', /expected a range from low to high/],
  ])('refuses %j, naming the field', (text, message) => {
    expect(() => parseCron(text)).toThrow(WindowRuleError);
    expect(() => parseCron(text)).toThrow(message);
  });
});
