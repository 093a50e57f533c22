import { describe, expect, it } from 'vitest';
import { dayNumber, formatInstantInZone, localToInstant, offsetAt } from '../../../../src/domain/windows/index.js';

const at = (date: string, time: string, zone: string): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return new Date(localToInstant(dayNumber(y, m, d), hh * 60 + mm, zone)).toISOString();
};

describe('local wall-clock time to instants (DST rules)', () => {
  it('reads an ordinary local time with the zone offset in force', () => {
    expect(at('2026-01-15', '22:00', 'Europe/Amsterdam')).toBe('2026-01-15T21:00:00.000Z');
    expect(at('2026-07-15', '22:00', 'Europe/Amsterdam')).toBe('2026-07-15T20:00:00.000Z');
  });

  it('moves a local time inside the spring-forward gap forward by the gap (02:30 -> 03:30 CEST)', () => {
    expect(at('2026-03-29', '02:30', 'Europe/Amsterdam')).toBe('2026-03-29T01:30:00.000Z');
    expect(formatInstantInZone(Date.parse('2026-03-29T01:30:00Z'), 'Europe/Amsterdam')).toBe('2026-03-29T03:30:00+02:00');
  });

  it('reads a repeated local time (fall back) as the first of the two (02:30 CEST, not CET)', () => {
    expect(at('2026-10-25', '02:30', 'Europe/Amsterdam')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('handles half-hour DST (Australia/Lord_Howe) and non-hour offsets (Asia/Kathmandu)', () => {
    // Lord Howe springs forward 02:00 -> 02:30 on 2026-10-04: 02:15 does not exist and becomes 02:45 (+11:00).
    expect(formatInstantInZone(Date.parse(at('2026-10-04', '02:15', 'Australia/Lord_Howe')), 'Australia/Lord_Howe')).toBe('2026-10-04T02:45:00+11:00');
    expect(at('2026-01-01', '00:00', 'Asia/Kathmandu')).toBe('2025-12-31T18:15:00.000Z');
  });

  it('gives the offset on each side of a transition, to the second', () => {
    const change = Date.parse('2026-03-29T01:00:00Z');
    expect(offsetAt('Europe/Amsterdam', change - 1000)).toBe(60);
    expect(offsetAt('Europe/Amsterdam', change)).toBe(120);
    expect(offsetAt('America/New_York', Date.parse('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(offsetAt('America/New_York', Date.parse('2026-03-08T06:59:59Z'))).toBe(-300);
  });
});
