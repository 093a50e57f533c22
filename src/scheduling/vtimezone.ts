import { MS_PER_DAY, MS_PER_MINUTE, offsetAt } from '../domain/index.js';

/**
 * An RFC 5545 VTIMEZONE for an IANA zone over a span of time, built from the zone data the runtime has (the
 * same data the occurrences were computed with). Each offset change in the span is one STANDARD or DAYLIGHT
 * observance with its exact DTSTART, so calendar clients need no tz database of their own to agree with us.
 */

interface Transition {
  atMs: number;
  from: number;
  to: number;
}

/** Offset changes in [fromMs, toMs], found by daily sampling and bisection to the minute. */
export function zoneTransitions(zone: string, fromMs: number, toMs: number): Transition[] {
  const transitions: Transition[] = [];
  let previous = offsetAt(zone, fromMs);
  for (let t = fromMs + MS_PER_DAY; t <= toMs + MS_PER_DAY; t += MS_PER_DAY) {
    const current = offsetAt(zone, t);
    if (current === previous) continue;
    let low = t - MS_PER_DAY;
    let high = t;
    while (high - low > MS_PER_MINUTE) {
      const mid = low + Math.floor((high - low) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
      if (offsetAt(zone, mid) === previous) low = mid;
      else high = mid;
    }
    transitions.push({ atMs: high, from: previous, to: current });
    previous = current;
  }
  return transitions;
}

export function renderVTimezone(zone: string, fromMs: number, toMs: number): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const initial = offsetAt(zone, fromMs);
  // The first observance states the offset in force at the start of the span.
  lines.push(...observance(initial, initial, fromMs, 'STANDARD'));
  for (const t of zoneTransitions(zone, fromMs, toMs)) lines.push(...observance(t.from, t.to, t.atMs, t.to > t.from ? 'DAYLIGHT' : 'STANDARD'));
  lines.push('END:VTIMEZONE');
  return lines;
}

function observance(from: number, to: number, atMs: number, kind: 'STANDARD' | 'DAYLIGHT'): string[] {
  // DTSTART of an observance is local time in the offset that was in force before it.
  return [`BEGIN:${kind}`, `DTSTART:${localBasic(atMs, from)}`, `TZOFFSETFROM:${formatOffset(from)}`, `TZOFFSETTO:${formatOffset(to)}`, `END:${kind}`];
}

export function localBasic(instantMs: number, offsetMinutes: number): string {
  return new Date(instantMs + offsetMinutes * MS_PER_MINUTE).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, '');
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}
