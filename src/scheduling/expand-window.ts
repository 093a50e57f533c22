import { formatInstantInZone, localDateOf, localToInstant, occurrenceId, parseDay, recurrenceStarts } from '../domain/index.js';
import { recurrenceOf } from './compiled-window.js';
import { toEpochMs } from './instant.js';
import type { BlackoutPeriod, InstantInput, Occurrence, RemovedOccurrence, WindowSpec } from './occurrence.js';

export interface ExpandOptions {
  /** Range start, inclusive: occurrences that start at or after it. */
  from: InstantInput;
  /** Range end, exclusive. */
  to: InstantInput;
  /** Blackouts to apply (see `blackoutsForWindow`); none by default. */
  blackouts?: readonly BlackoutPeriod[];
  /** The hosts to put on each occurrence (see `hostsOfWindow`); none by default. */
  hostIds?: readonly string[];
}

export interface Expansion {
  occurrences: Occurrence[];
  removed: RemovedOccurrence[];
}

/**
 * Every occurrence of a window that starts in [from, to), ascending, computed in the window's zone.
 *
 * - The start is the rule's local date plus `offsetDays`, at `start` (rrule) or the cron's time, in the zone.
 *   A local start that does not exist (spring forward) moves forward by the gap; one that exists twice (fall
 *   back) is the first of the two.
 * - `end = start + duration` in elapsed time (a 4 h window over a DST change is still 4 h long), and
 *   `cutoff = end - cutoff`.
 * - An occurrence whose local start date is in `exclude`, or that starts inside a blackout (local dates,
 *   inclusive, in the window's zone) is moved to `removed` with its reason. Exclude is checked first, then
 *   blackouts in the order given.
 *
 * Throws WindowRuleError when the window's rule cannot be read (the config loader rejects such windows first).
 */
export function expandWindow(window: WindowSpec, options: ExpandOptions): Expansion {
  const fromMs = toEpochMs(options.from, 'from');
  const toMs = toEpochMs(options.to, 'to');
  const zone = window.timezone;
  const excluded = new Set(window.exclude);
  const blackouts = (options.blackouts ?? []).map((b) => blackoutSpan(b, zone));
  const hostIds = [...(options.hostIds ?? [])];
  const occurrences: Occurrence[] = [];
  const removed: RemovedOccurrence[] = [];

  for (const { startMs } of recurrenceStarts(recurrenceOf(window), zone, fromMs, toMs)) {
    const id = occurrenceId(window.id, startMs);
    const start = formatInstantInZone(startMs, zone);
    const localDate = localDateOf(startMs, zone);
    const base = { id, windowId: window.id, customerId: window.customerId, timezone: zone, start, startMs };
    if (excluded.has(localDate)) {
      removed.push({ ...base, kind: 'exclude', reason: `excluded date ${localDate} (exclude)` });
      continue;
    }
    const blackout = blackouts.find((b) => startMs >= b.fromMs && startMs < b.toMs);
    if (blackout !== undefined) {
      removed.push({ ...base, kind: 'blackout', blackoutId: blackout.period.id, reason: describeBlackout(blackout.period, window.customerId) });
      continue;
    }
    const endMs = startMs + window.durationMs;
    const cutoffMs = endMs - window.cutoffMs;
    occurrences.push({
      ...base,
      localDate,
      end: formatInstantInZone(endMs, zone),
      cutoff: formatInstantInZone(cutoffMs, zone),
      endMs,
      cutoffMs,
      playbooks: window.playbooks,
      hostIds,
      approval: window.approval ?? 'required',
    });
  }
  return { occurrences, removed };
}

interface BlackoutSpan {
  period: BlackoutPeriod;
  fromMs: number;
  toMs: number;
}

function blackoutSpan(period: BlackoutPeriod, zone: string): BlackoutSpan {
  const from = parseDay(period.from);
  const to = parseDay(period.to);
  if (from === undefined || to === undefined || to < from) {
    throw new RangeError(`blackout ${period.id}: expected from and to as dates YYYY-MM-DD with from on or before to, given ${period.from}..${period.to}`);
  }
  return { period, fromMs: localToInstant(from, 0, zone), toMs: localToInstant(to + 1, 0, zone) };
}

function describeBlackout(period: BlackoutPeriod, customerId: string): string {
  const scope = period.scope === 'global' ? 'global' : `customer ${customerId}`;
  const why = period.reason === undefined ? '' : `: ${period.reason}`;
  return `blackout ${period.id} (${scope}) from ${period.from} to ${period.to}${why}`;
}
