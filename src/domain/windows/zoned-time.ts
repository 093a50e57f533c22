import { IANAZone } from 'luxon';
import { MS_PER_DAY, MS_PER_MINUTE, formatDay, type DayNumber } from './local-date.js';

/**
 * Local wall-clock time to instants and back, with the project's stated DST rules:
 * - a local time that does not exist (spring forward) moves forward by the length of the gap
 *   (02:30 on 2026-03-29 in Europe/Amsterdam becomes 03:30 CEST);
 * - a local time that exists twice (fall back) means the first of the two
 *   (02:30 on 2026-10-25 in Europe/Amsterdam is 02:30 CEST, 00:30Z), as RFC 5545 §3.3.5 reads it.
 * luxon alone picks the second of a repeated time, so the choice is made here explicitly.
 */

const zones = new Map<string, IANAZone>();

export function zoneNamed(name: string): IANAZone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = IANAZone.create(name);
    if (!zone.isValid) throw new RangeError(`expected an IANA time zone such as Europe/Amsterdam, given ${JSON.stringify(name)}`);
    zones.set(name, zone);
  }
  return zone;
}

export function isValidZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

interface YearOffsets {
  initial: number;
  /** Offset changes within the UTC year, ascending: from `atMs` on, `offset` applies. */
  changes: Array<{ atMs: number; offset: number }>;
}

const SAMPLE_MS = 6 * 3_600_000;
const yearTables = new Map<string, YearOffsets>();

/**
 * The zone's UTC offset in minutes at an instant. Asking Intl (through luxon) costs microseconds per call;
 * expansion asks millions of times, so each zone-year's offset changes are found once (sampled every 6 hours,
 * bisected to the minute) and looked up from then on.
 */
export function offsetAt(zone: string, instantMs: number): number {
  const year = new Date(instantMs).getUTCFullYear();
  const key = `${zone} ${year}`;
  let table = yearTables.get(key);
  if (table === undefined) {
    table = buildYear(zoneNamed(zone), year);
    yearTables.set(key, table);
  }
  let offset = table.initial;
  for (const change of table.changes) {
    if (instantMs < change.atMs) break;
    offset = change.offset;
  }
  return offset;
}

function buildYear(z: IANAZone, year: number): YearOffsets {
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const initial = z.offset(start);
  const changes: YearOffsets['changes'] = [];
  let previous = initial;
  for (let t = start + SAMPLE_MS; t < end + SAMPLE_MS; t += SAMPLE_MS) {
    const probe = Math.min(t, end - 1);
    const current = z.offset(probe);
    if (current === previous) continue;
    let low = t - SAMPLE_MS;
    let high = probe;
    while (high - low > 1000) {
      const mid = low + Math.floor((high - low) / 2000) * 1000;
      if (z.offset(mid) === previous) low = mid;
      else high = mid;
    }
    changes.push({ atMs: high, offset: current });
    previous = current;
  }
  return { initial, changes };
}

/** The instant of a local date and minute-of-day in a zone, by the DST rules above. */
export function localToInstant(day: DayNumber, minuteOfDay: number, zone: string): number {
  const localMs = day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  // Offsets a day either side bracket any single transition near this local time.
  const before = offsetAt(zone, localMs - MS_PER_DAY);
  const after = offsetAt(zone, localMs + MS_PER_DAY);
  let best: number | undefined;
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = localMs - offset * MS_PER_MINUTE;
    if (offsetAt(zone, candidate) === offset && (best === undefined || candidate < best)) best = candidate;
  }
  // No candidate: the local time falls in a gap. Reading it with the offset in force before the gap lands
  // exactly gap-length later on the wall clock.
  return best ?? localMs - before * MS_PER_MINUTE;
}

/**
 * Whether the wall-clock time this instant shows in the zone is shown twice (the repeated hour of a fall-back
 * change), so that the local time alone does not say which instant is meant.
 */
export function isRepeatedLocalTime(instantMs: number, zone: string): boolean {
  const own = offsetAt(zone, instantMs);
  const localMs = instantMs + own * MS_PER_MINUTE;
  for (const offset of [offsetAt(zone, instantMs - MS_PER_DAY), offsetAt(zone, instantMs + MS_PER_DAY)]) {
    if (offset !== own && offsetAt(zone, localMs - offset * MS_PER_MINUTE) === offset) return true;
  }
  return false;
}

/** The local date (day number) of an instant in a zone. */
export function localDayOf(instantMs: number, zone: string): DayNumber {
  return Math.floor((instantMs + offsetAt(zone, instantMs) * MS_PER_MINUTE) / MS_PER_DAY);
}

/** The local date `YYYY-MM-DD` of an instant in a zone. */
export function localDateOf(instantMs: number, zone: string): string {
  return formatDay(localDayOf(instantMs, zone));
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** ISO 8601 with the zone's offset at that instant, seconds precision: `2026-03-12T22:00:00+01:00`. */
export function formatInstantInZone(instantMs: number, zone: string): string {
  const offset = offsetAt(zone, instantMs);
  const local = new Date(instantMs + offset * MS_PER_MINUTE);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Basic ISO 8601 in UTC, seconds precision: `20260312T210000Z` (no `:`, so it can sit inside ids). */
export function formatBasicUtc(instantMs: number): string {
  const d = new Date(instantMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
  );
}
