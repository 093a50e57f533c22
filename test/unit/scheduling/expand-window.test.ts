import { describe, expect, it } from 'vitest';
import { formatInstantInZone } from '../../../src/domain/index.js';
import {
  acceptsNewWork,
  expandWindow,
  isWindowOpen,
  occurrenceId,
  openOccurrenceAt,
  parseOccurrenceId,
  timeLeftBeforeCutoff,
  type WindowSpec,
} from '../../../src/scheduling/index.js';

const HOUR = 3_600_000;

function window(overrides: Partial<WindowSpec>): WindowSpec {
  return { id: 'w', customerId: 'acme', timezone: 'Europe/Amsterdam', offsetDays: 0, durationMs: 4 * HOUR, cutoffMs: 45 * 60_000, exclude: [], playbooks: ['security-patch'], ...overrides };
}

describe('expandWindow', () => {
  it('Patch Tuesday + 2 at 22:00 Europe/Amsterdam for every month of 2026 and 2027', () => {
    // The Thursday after the second Tuesday, from a printed calendar.
    const expected = [
      '2026-01-15', '2026-02-12', '2026-03-12', '2026-04-16', '2026-05-14', '2026-06-11',
      '2026-07-16', '2026-08-13', '2026-09-10', '2026-10-15', '2026-11-12', '2026-12-10',
      '2027-01-14', '2027-02-11', '2027-03-11', '2027-04-15', '2027-05-13', '2027-06-10',
      '2027-07-15', '2027-08-12', '2027-09-16', '2027-10-14', '2027-11-11', '2027-12-16',
    ];
    const { occurrences } = expandWindow(window({ rrule: 'FREQ=MONTHLY;BYDAY=2TU', offsetDays: 2, start: '22:00' }), { from: '2026-01-01T00:00:00+01:00', to: '2028-01-01T00:00:00+01:00' });
    expect(occurrences.map((o) => o.start.slice(0, 16))).toEqual(expected.map((d) => `${d}T22:00`));
    // Summer time from the last Sunday of March to the last Sunday of October.
    expect(occurrences.map((o) => o.start.slice(19))).toEqual(expected.map((d) => ((d >= '2026-03-29' && d < '2026-10-25') || (d >= '2027-03-28' && d < '2027-10-31') ? '+02:00' : '+01:00')));
    expect(occurrences.every((o) => new Date(`${o.localDate}T12:00:00Z`).getUTCDay() === 4)).toBe(true);
  });

  it('last Sunday + 3 crosses into the next month', () => {
    const { occurrences } = expandWindow(window({ rrule: 'FREQ=MONTHLY;BYDAY=-1SU', offsetDays: 3, start: '20:00', durationMs: 2 * HOUR }), { from: '2026-03-01T00:00:00Z', to: '2026-06-15T00:00:00Z' });
    // Last Sundays: 03-29, 04-26, 05-31 -> Wednesdays 04-01, 04-29, 06-03.
    expect(occurrences.map((o) => o.start)).toEqual(['2026-04-01T20:00:00+02:00', '2026-04-29T20:00:00+02:00', '2026-06-03T20:00:00+02:00']);
  });

  it('a 02:30 start on the spring-forward Sunday moves to 03:30; on the fall-back Sunday it runs once, at the first 02:30', () => {
    const w = window({ rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '02:30', durationMs: HOUR, cutoffMs: 15 * 60_000 });
    const spring = expandWindow(w, { from: '2026-03-22T00:00:00Z', to: '2026-04-06T00:00:00Z' }).occurrences;
    expect(spring.map((o) => [o.start, o.end])).toEqual([
      ['2026-03-22T02:30:00+01:00', '2026-03-22T03:30:00+01:00'],
      ['2026-03-29T03:30:00+02:00', '2026-03-29T04:30:00+02:00'],
      ['2026-04-05T02:30:00+02:00', '2026-04-05T03:30:00+02:00'],
    ]);
    const fall = expandWindow(w, { from: '2026-10-18T00:00:00Z', to: '2026-11-02T00:00:00Z' }).occurrences;
    expect(fall.map((o) => [o.start, o.end, o.cutoff])).toEqual([
      ['2026-10-18T02:30:00+02:00', '2026-10-18T03:30:00+02:00', '2026-10-18T03:15:00+02:00'],
      // Elapsed time: one hour after 02:30 CEST is 02:30 CET, the second 02:30 on the clock.
      ['2026-10-25T02:30:00+02:00', '2026-10-25T02:30:00+01:00', '2026-10-25T02:15:00+01:00'],
      ['2026-11-01T02:30:00+01:00', '2026-11-01T03:30:00+01:00', '2026-11-01T03:15:00+01:00'],
    ]);
    expect(fall[1]?.id).toBe('w@20261025T003000Z');
  });

  it('a window in America/New_York keeps its local time in the weeks US and EU DST differ', () => {
    const w = window({ id: 'ny', timezone: 'America/New_York', cron: '0 21 * * 0', durationMs: 3 * HOUR });
    const march = expandWindow(w, { from: '2026-03-01T00:00:00Z', to: '2026-04-07T00:00:00Z' }).occurrences;
    expect(march.map((o) => o.start)).toEqual(['2026-03-01T21:00:00-05:00', '2026-03-08T21:00:00-04:00', '2026-03-15T21:00:00-04:00', '2026-03-22T21:00:00-04:00', '2026-03-29T21:00:00-04:00', '2026-04-05T21:00:00-04:00']);
    // Seen from Amsterdam the window moves: 03:00 before 03-08, 02:00 until the EU switches on 03-29, 03:00 after.
    expect(march.map((o) => formatInstantInZone(o.startMs, 'Europe/Amsterdam').slice(11, 16))).toEqual(['03:00', '02:00', '02:00', '02:00', '03:00', '03:00']);
    const autumn = expandWindow(w, { from: '2026-10-18T00:00:00Z', to: '2026-11-10T00:00:00Z' }).occurrences;
    expect(autumn.map((o) => o.start)).toEqual(['2026-10-18T21:00:00-04:00', '2026-10-25T21:00:00-04:00', '2026-11-01T21:00:00-05:00', '2026-11-08T21:00:00-05:00']);
    // The EU fell back on 10-25, the US on 11-01: in between the window starts at 02:00 in Amsterdam, not 03:00.
    expect(autumn.map((o) => formatInstantInZone(o.startMs, 'Europe/Amsterdam').slice(11, 16))).toEqual(['03:00', '02:00', '03:00', '03:00']);
  });

  it('a year-end blackout removes the occurrences that start inside it and reports each with its reason', () => {
    const w = window({ id: 'weekly', cron: '0 2 * * 0', durationMs: 3 * HOUR, exclude: ['2026-12-13'] });
    const { occurrences, removed } = expandWindow(w, {
      from: '2026-12-01T00:00:00Z',
      to: '2027-01-20T00:00:00Z',
      blackouts: [{ id: 'year-end', from: '2026-12-20', to: '2027-01-03', scope: 'customer', reason: 'freeze' }],
    });
    expect(occurrences.map((o) => o.localDate)).toEqual(['2026-12-06', '2027-01-10', '2027-01-17']);
    expect(removed.map((r) => [r.start.slice(0, 10), r.kind, r.blackoutId ?? null])).toEqual([
      ['2026-12-13', 'exclude', null],
      ['2026-12-20', 'blackout', 'year-end'],
      ['2026-12-27', 'blackout', 'year-end'],
      ['2027-01-03', 'blackout', 'year-end'],
    ]);
    expect(removed[1]?.reason).toBe('blackout year-end (customer acme) from 2026-12-20 to 2027-01-03: freeze');
    expect(removed[0]?.reason).toBe('excluded date 2026-12-13 (exclude)');
  });

  it('a blackout covers whole local days in the window zone: 23:30 the day before is outside, 00:00 on from is inside', () => {
    const w = window({ rrule: 'FREQ=DAILY', start: '23:30', durationMs: HOUR, cutoffMs: 0 });
    const { occurrences, removed } = expandWindow(w, { from: '2026-06-09T00:00:00+02:00', to: '2026-06-13T00:00:00+02:00', blackouts: [{ id: 'b', from: '2026-06-10', to: '2026-06-11', scope: 'global' }] });
    expect(occurrences.map((o) => o.localDate)).toEqual(['2026-06-09', '2026-06-12']);
    expect(removed.map((r) => r.start)).toEqual(['2026-06-10T23:30:00+02:00', '2026-06-11T23:30:00+02:00']);
    expect(removed[0]?.reason).toMatch(/^blackout b \(global\)/);
  });

  it('the range is [from, to): an occurrence starting exactly at to is not included', () => {
    const w = window({ rrule: 'FREQ=DAILY', start: '22:00' });
    const { occurrences } = expandWindow(w, { from: '2026-01-01T21:00:00Z', to: '2026-01-03T21:00:00Z' });
    expect(occurrences.map((o) => o.start)).toEqual(['2026-01-01T22:00:00+01:00', '2026-01-02T22:00:00+01:00']);
  });

  it('carries the window data and derives end and cutoff from elapsed durations', () => {
    const [o] = expandWindow(window({ rrule: 'FREQ=MONTHLY;BYDAY=2TU', offsetDays: 2, start: '22:00' }), { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', hostIds: ['h1', 'h2'] }).occurrences;
    expect(o).toEqual({
      id: 'w@20260312T210000Z', windowId: 'w', customerId: 'acme', timezone: 'Europe/Amsterdam', localDate: '2026-03-12',
      start: '2026-03-12T22:00:00+01:00', end: '2026-03-13T02:00:00+01:00', cutoff: '2026-03-13T01:15:00+01:00',
      startMs: Date.parse('2026-03-12T21:00:00Z'), endMs: Date.parse('2026-03-13T01:00:00Z'), cutoffMs: Date.parse('2026-03-13T00:15:00Z'),
      playbooks: ['security-patch'], hostIds: ['h1', 'h2'], approval: 'required',
    });
  });

  it('refuses an ISO time without an offset, which names no instant', () => {
    expect(() => expandWindow(window({ rrule: 'FREQ=DAILY', start: '22:00' }), { from: '2026-01-01T00:00:00', to: '2026-02-01T00:00:00Z' })).toThrow(/offset or Z/);
  });
});

describe('occurrence ids', () => {
  it('is windowId@start in basic UTC, without ":" and round-trips', () => {
    const id = occurrenceId('acme-monthly-security', Date.parse('2026-03-12T22:00:00+01:00'));
    expect(id).toBe('acme-monthly-security@20260312T210000Z');
    expect(id).not.toContain(':');
    expect(parseOccurrenceId(id)).toEqual({ windowId: 'acme-monthly-security', startMs: Date.parse('2026-03-12T21:00:00Z') });
    expect(occurrenceId('w', new Date('2026-01-01T00:00:00Z'))).toBe('w@20260101T000000Z');
  });
});

describe('window queries', () => {
  const w = window({ rrule: 'FREQ=MONTHLY;BYDAY=2TU', offsetDays: 2, start: '22:00' });

  it('isWindowOpen is true from start (inclusive) to end (exclusive) and false in a blackout', () => {
    expect(isWindowOpen(w, '2026-03-12T21:59:59+01:00')).toBe(false);
    expect(isWindowOpen(w, '2026-03-12T22:00:00+01:00')).toBe(true);
    expect(isWindowOpen(w, '2026-03-13T01:59:59+01:00')).toBe(true);
    expect(isWindowOpen(w, '2026-03-13T02:00:00+01:00')).toBe(false);
    expect(isWindowOpen(w, '2026-03-12T23:00:00+01:00', { blackouts: [{ id: 'b', from: '2026-03-12', to: '2026-03-12', scope: 'global' }] })).toBe(false);
  });

  it('openOccurrenceAt finds the occurrence that started the evening before (across midnight)', () => {
    expect(openOccurrenceAt(w, '2026-03-13T00:30:00+01:00')?.id).toBe('w@20260312T210000Z');
  });

  it('timeLeftBeforeCutoff counts down to end - cutoff and is 0 outside [start, cutoff)', () => {
    const o = openOccurrenceAt(w, '2026-03-12T22:00:00+01:00');
    if (o === undefined) throw new Error('expected an open occurrence');
    expect(timeLeftBeforeCutoff(o, '2026-03-12T22:00:00+01:00')).toBe(3 * HOUR + 15 * 60_000);
    expect(timeLeftBeforeCutoff(o, '2026-03-13T01:14:00+01:00')).toBe(60_000);
    expect(timeLeftBeforeCutoff(o, '2026-03-13T01:15:00+01:00')).toBe(0);
    expect(timeLeftBeforeCutoff(o, '2026-03-12T21:00:00+01:00')).toBe(0);
    expect(acceptsNewWork(o, '2026-03-13T01:15:00+01:00')).toBe(false);
    expect(acceptsNewWork(o, '2026-03-13T01:14:59+01:00')).toBe(true);
  });
});
