import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDayOf, parseDay, formatDay } from '../../../src/domain/index.js';
import { expandWindow, type BlackoutPeriod, type WindowSpec } from '../../../src/scheduling/index.js';

const ZONES = ['UTC', 'Europe/Amsterdam', 'America/New_York', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Antarctica/Troll', 'Asia/Tokyo'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const MINUTE = 60_000;
const RANGE_START = Date.parse('2025-06-01T00:00:00Z');

const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const byDay = fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 4 });
const ordinalDay = fc.tuple(fc.constantFrom(1, 2, 3, 4, -1, -2), fc.constantFrom(...DAYS)).map(([n, d]) => `${n}${d}`);

const rrule = fc.oneof(
  fc.constant('FREQ=DAILY'),
  byDay.map((d) => `FREQ=WEEKLY;BYDAY=${d.join(',')}`),
  fc.uniqueArray(ordinalDay, { minLength: 1, maxLength: 2 }).map((d) => `FREQ=MONTHLY;BYDAY=${d.join(',')}`),
  fc.uniqueArray(fc.integer({ min: -31, max: 31 }).filter((n) => n !== 0), { minLength: 1, maxLength: 3 }).map((d) => `FREQ=MONTHLY;BYMONTHDAY=${d.join(',')}`),
  fc.tuple(byDay, fc.constantFrom(1, 2, -1)).map(([d, p]) => `FREQ=MONTHLY;BYDAY=${d.join(',')};BYSETPOS=${p}`),
  fc.tuple(fc.integer({ min: 1, max: 12 }), ordinalDay).map(([m, d]) => `FREQ=YEARLY;BYMONTH=${m};BYDAY=${d}`),
);
const cron = fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 23 }), fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 })).map(([m, h, d]) => `${m} ${h} * * ${d.join(',')}`);

// Rule dates are at least a day apart and a DST change shortens a day by at most 2 h: 20 h windows never overlap.
const windowArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    rule: fc.oneof(rrule.map((r) => ({ rrule: r })), cron.map((c) => ({ cron: c }))),
    start: hhmm,
    offsetDays: fc.integer({ min: -6, max: 6 }),
    durationMin: fc.integer({ min: 1, max: 20 * 60 }),
    cutoffFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
  })
  .map(({ zone, rule, start, offsetDays, durationMin, cutoffFraction }): WindowSpec => ({
    id: 'p',
    customerId: 'c',
    timezone: zone,
    ...rule,
    start: 'rrule' in rule ? start : undefined,
    offsetDays,
    durationMs: durationMin * MINUTE,
    cutoffMs: Math.floor(durationMin * cutoffFraction) * MINUTE,
    exclude: [],
    playbooks: ['x'],
  }));

const blackoutsArb = fc
  .array(fc.tuple(fc.integer({ min: -10, max: 400 }), fc.integer({ min: 0, max: 20 })), { maxLength: 3 })
  .map((spans) =>
    spans.map(([offset, length], i): BlackoutPeriod => {
      const from = (parseDay('2025-06-01') as number) + offset;
      return { id: `b${i}`, from: formatDay(from), to: formatDay(from + length), scope: 'customer' };
    }),
  );

const rangeArb = fc.tuple(fc.integer({ min: 0, max: 300 * 24 * 60 }), fc.integer({ min: 1, max: 120 * 24 * 60 })).map(([a, len]) => ({ from: RANGE_START + a * MINUTE, to: RANGE_START + (a + len) * MINUTE }));

describe('expansion properties over random rules, zones and ranges', () => {
  it('occurrences are sorted, start inside the range, never overlap, last exactly their duration, and cutoff sits inside', () => {
    fc.assert(
      fc.property(windowArb, rangeArb, (window, range) => {
        const { occurrences } = expandWindow(window, range);
        occurrences.forEach((o, i) => {
          expect(o.startMs).toBeGreaterThanOrEqual(range.from);
          expect(o.startMs).toBeLessThan(range.to);
          expect(o.endMs - o.startMs).toBe(window.durationMs);
          expect(Date.parse(o.end) - Date.parse(o.start)).toBe(window.durationMs);
          expect(Date.parse(o.start)).toBe(o.startMs);
          expect(o.cutoffMs).toBe(o.endMs - window.cutoffMs);
          const previous = occurrences[i - 1];
          if (previous !== undefined) expect(o.startMs).toBeGreaterThanOrEqual(previous.endMs);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('no occurrence starts inside a blackout or on an excluded date, and nothing is lost: kept + removed = the rule', () => {
    fc.assert(
      fc.property(windowArb, rangeArb, blackoutsArb, (window, range, blackouts) => {
        const all = expandWindow(window, range).occurrences;
        const excluded = all.filter((_, i) => i % 3 === 1).map((o) => o.localDate);
        const { occurrences, removed } = expandWindow({ ...window, exclude: excluded }, { ...range, blackouts });
        for (const o of occurrences) {
          const day = localDayOf(o.startMs, window.timezone);
          expect(blackouts.some((b) => day >= (parseDay(b.from) as number) && day <= (parseDay(b.to) as number))).toBe(false);
          expect(excluded).not.toContain(o.localDate);
        }
        expect([...occurrences.map((o) => o.id), ...removed.map((r) => r.id)].sort()).toEqual(all.map((o) => o.id).sort());
      }),
      { numRuns: 200 },
    );
  });

  it('splitting the range in two gives the same occurrences (expansion is independent of where the range starts)', () => {
    fc.assert(
      fc.property(windowArb, rangeArb, fc.double({ min: 0, max: 1, noNaN: true }), (window, range, cut) => {
        const middle = Math.floor(range.from + (range.to - range.from) * cut);
        const whole = expandWindow(window, range).occurrences.map((o) => o.id);
        const parts = [...expandWindow(window, { from: range.from, to: middle }).occurrences, ...expandWindow(window, { from: middle, to: range.to }).occurrences].map((o) => o.id);
        expect(parts).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});
