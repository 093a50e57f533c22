import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  businessTimeBetween,
  clockStatus,
  dueAt,
  elapsedBusinessMs,
  nearBreachAt,
  passedMilestones,
  pauseClock,
  resumeClock,
  retargetClock,
  startClock,
  stopClock,
  type BusinessCalendar,
} from '../../../src/domain/sla/index.js';

const HOUR = 3_600_000;
const officeHours: BusinessCalendar = {
  timezone: 'Europe/Amsterdam',
  hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  holidays: ['2026-04-27'],
};
const roundTheClock: BusinessCalendar = { timezone: 'Europe/Amsterdam', hours: '24x7', holidays: ['2026-04-27'] };
const at = (iso: string) => new Date(iso);

describe('business-hours arithmetic in the customer zone', () => {
  it('adds time inside one business day', () => {
    // Tuesday 10:00 CEST = 08:00Z
    expect(addBusinessTime(officeHours, at('2026-04-14T08:00:00Z'), 4 * HOUR).toISOString()).toBe('2026-04-14T12:00:00.000Z');
  });

  it('skips the weekend: Friday 16:00 plus 2 business hours is Monday 10:00', () => {
    expect(addBusinessTime(officeHours, at('2026-04-17T14:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-04-20T08:00:00.000Z');
  });

  it('starts counting at opening time when opened outside business hours', () => {
    // Saturday noon + 1 h => Monday 10:00 CEST
    expect(addBusinessTime(officeHours, at('2026-04-18T10:00:00Z'), HOUR).toISOString()).toBe('2026-04-20T08:00:00.000Z');
  });

  it('skips a holiday: Friday 16:00 plus 2 h, Monday 27 April a holiday, is Tuesday 10:00', () => {
    expect(addBusinessTime(officeHours, at('2026-04-24T14:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-04-28T08:00:00.000Z');
  });

  it('keeps local business hours across the DST change: Friday 16:00 CET plus 2 h is Monday 10:00 CEST', () => {
    // Clocks go forward on Sunday 2026-03-29: Friday 16:00 is 15:00Z, Monday 10:00 is 08:00Z.
    expect(addBusinessTime(officeHours, at('2026-03-27T15:00:00Z'), 2 * HOUR).toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('counts elapsed time for 24x7 across DST: Saturday 12:00 CET plus 24 h is Sunday 13:00 CEST', () => {
    expect(addBusinessTime(roundTheClock, at('2026-03-28T11:00:00Z'), 24 * HOUR).toISOString()).toBe('2026-03-29T11:00:00.000Z');
  });

  it('ignores holidays on a 24x7 contract', () => {
    expect(addBusinessTime(roundTheClock, at('2026-04-26T22:00:00Z'), 24 * HOUR).toISOString()).toBe('2026-04-27T22:00:00.000Z');
  });

  it('ends a target that uses up a day exactly at closing time, not at the next opening', () => {
    expect(addBusinessTime(officeHours, at('2026-04-14T07:00:00Z'), 8 * HOUR).toISOString()).toBe('2026-04-14T15:00:00.000Z');
  });

  it('measures business time between instants over a weekend and a holiday', () => {
    // Friday 24 April 15:00 CEST to Tuesday 28 April 11:00 CEST: 2 h Friday + 2 h Tuesday.
    expect(businessTimeBetween(officeHours, at('2026-04-24T13:00:00Z'), at('2026-04-28T09:00:00Z'))).toBe(4 * HOUR);
    expect(businessTimeBetween(officeHours, at('2026-04-28T09:00:00Z'), at('2026-04-24T13:00:00Z'))).toBe(0);
  });

  it('refuses business hours that cross midnight, saying what to do', () => {
    const night: BusinessCalendar = { timezone: 'UTC', hours: { days: ['mon'], start: '22:00', end: '06:00' }, holidays: [] };
    expect(() => addBusinessTime(night, at('2026-04-14T08:00:00Z'), HOUR)).toThrow(/22:00-06:00.*use 24x7 or end at 23:59/);
  });
});

describe('SLA clocks', () => {
  it('gives the due instant and the near-breach instant at 80 % of the target', () => {
    // Opened Monday 09:00 CEST with an 8 h business target: due Monday 17:00, near breach at 6 h 24 min.
    const clock = startClock(8 * HOUR, at('2026-04-13T07:00:00Z'));
    expect(dueAt(officeHours, clock)?.toISOString()).toBe('2026-04-13T15:00:00.000Z');
    expect(nearBreachAt(officeHours, clock)?.toISOString()).toBe('2026-04-13T13:24:00.000Z');
  });

  it('SEMANTICS §3: a 24x7 SLA of 72 h paused 10 h is due 10 h later than first planned', () => {
    const started = startClock(72 * HOUR, at('2026-05-04T00:00:00Z'));
    const firstDue = dueAt(roundTheClock, started) as Date;
    const paused = pauseClock(started, at('2026-05-05T00:00:00Z'));
    expect(dueAt(roundTheClock, paused)).toBeUndefined();
    const resumed = resumeClock(roundTheClock, paused, at('2026-05-05T10:00:00Z'));
    expect((dueAt(roundTheClock, resumed) as Date).getTime() - firstDue.getTime()).toBe(10 * HOUR);
  });

  it('moves the due time by the paused business time only, for a pause across a maintenance window', () => {
    // Opened Thursday 14:00 CEST, 16 business hours: due Monday 14:00 CEST.
    const started = startClock(16 * HOUR, at('2026-04-16T12:00:00Z'));
    expect(dueAt(officeHours, started)?.toISOString()).toBe('2026-04-20T12:00:00.000Z');
    // Waiting for the window from Thursday 16:00 until the window opens Saturday 22:00.
    const waiting = pauseClock(started, at('2026-04-16T14:00:00Z'));
    expect(clockStatus(officeHours, waiting, at('2026-04-17T10:00:00Z'))).toBe('paused');
    const resumed = resumeClock(officeHours, waiting, at('2026-04-18T20:00:00Z'));
    // Paused business time: Thursday 16:00-17:00 and all of Friday = 9 h; the weekend part costs nothing.
    expect(resumed.pausedMs).toBe(HOUR + 8 * HOUR);
    // Monday 14:00 + 9 business hours = Monday 17:00 (3 h) + Tuesday 09:00-15:00 (6 h).
    expect(dueAt(officeHours, resumed)?.toISOString()).toBe('2026-04-21T13:00:00.000Z');
  });

  it('reports running, near-breach and breached, and met or missed once stopped', () => {
    const clock = startClock(8 * HOUR, at('2026-04-13T07:00:00Z'));
    expect(clockStatus(officeHours, clock, at('2026-04-13T08:00:00Z'))).toBe('running');
    expect(clockStatus(officeHours, clock, at('2026-04-13T14:00:00Z'))).toBe('near-breach');
    expect(clockStatus(officeHours, clock, at('2026-04-13T15:00:00Z'))).toBe('breached');
    expect(clockStatus(officeHours, stopClock(officeHours, clock, at('2026-04-13T12:00:00Z')), at('2026-04-20T00:00:00Z'))).toBe('met');
    expect(clockStatus(officeHours, stopClock(officeHours, clock, at('2026-04-14T08:00:00Z')), at('2026-04-20T00:00:00Z'))).toBe('missed');
  });

  it('emits each milestone once, with the instant it happened, and none after the clock stopped', () => {
    const clock = startClock(8 * HOUR, at('2026-04-13T07:00:00Z'));
    expect(passedMilestones(officeHours, clock, at('2026-04-13T13:00:00Z'), new Set())).toEqual([]);
    expect(passedMilestones(officeHours, clock, at('2026-04-13T16:00:00Z'), new Set())).toEqual([
      { milestone: 'near-breach', at: at('2026-04-13T13:24:00Z') },
      { milestone: 'breached', at: at('2026-04-13T15:00:00Z') },
    ]);
    expect(passedMilestones(officeHours, clock, at('2026-04-13T16:00:00Z'), new Set(['near-breach']))).toEqual([{ milestone: 'breached', at: at('2026-04-13T15:00:00Z') }]);
    const stopped = stopClock(officeHours, clock, at('2026-04-13T14:00:00Z'));
    expect(passedMilestones(officeHours, stopped, at('2026-04-14T16:00:00Z'), new Set())).toEqual([{ milestone: 'near-breach', at: at('2026-04-13T13:24:00Z') }]);
    expect(passedMilestones(officeHours, pauseClock(clock, at('2026-04-13T08:00:00Z')), at('2026-04-14T16:00:00Z'), new Set())).toEqual([]);
  });

  it('keeps the start and paused time when the target changes with the priority', () => {
    const clock = resumeClock(roundTheClock, pauseClock(startClock(8 * HOUR, at('2026-04-13T00:00:00Z')), at('2026-04-13T01:00:00Z')), at('2026-04-13T03:00:00Z'));
    expect(dueAt(roundTheClock, retargetClock(clock, 4 * HOUR))?.toISOString()).toBe('2026-04-13T06:00:00.000Z');
  });

  it('counts elapsed business time without the paused part', () => {
    const clock = resumeClock(officeHours, pauseClock(startClock(8 * HOUR, at('2026-04-13T07:00:00Z')), at('2026-04-13T08:00:00Z')), at('2026-04-13T10:00:00Z'));
    expect(elapsedBusinessMs(officeHours, clock, at('2026-04-13T11:00:00Z'))).toBe(2 * HOUR);
  });

  it('refuses a resume before the pause', () => {
    const paused = pauseClock(startClock(HOUR, at('2026-04-13T07:00:00Z')), at('2026-04-13T08:00:00Z'));
    expect(() => resumeClock(officeHours, paused, at('2026-04-13T07:30:00Z'))).toThrow(/resumed at .* before it was paused/);
  });
});
