import { formatDay, formatInstantInZone, localDayOf, localToInstant, occurrenceId, parseDay, recurrenceStarts } from '../domain/index.js';
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
  const zone = window.timezone;
  const hostIds = [...(options.hostIds ?? [])];
  const occurrences: Occurrence[] = [];
  const removed: RemovedOccurrence[] = [];
  for (const planned of plannedStarts(window, toEpochMs(options.from, 'from'), toEpochMs(options.to, 'to'), options.blackouts ?? [])) {
    const { startMs } = planned;
    const base = { id: occurrenceId(window.id, startMs), windowId: window.id, customerId: window.customerId, timezone: zone, start: formatInstantInZone(startMs, zone), startMs };
    if (planned.excludedDate !== undefined) {
      removed.push({ ...base, kind: 'exclude', reason: `excluded date ${planned.excludedDate} (exclude)` });
    } else if (planned.blackout !== undefined) {
      removed.push({ ...base, kind: 'blackout', blackoutId: planned.blackout.id, reason: describeBlackout(planned.blackout, window.customerId) });
    } else {
      const endMs = startMs + window.durationMs;
      const cutoffMs = endMs - window.cutoffMs;
      occurrences.push({
        ...base,
        localDate: formatDay(localDayOf(startMs, zone)),
        end: formatInstantInZone(endMs, zone),
        cutoff: formatInstantInZone(cutoffMs, zone),
        endMs,
        cutoffMs,
        playbooks: window.playbooks,
        hostIds,
        approval: window.approval ?? 'required',
      });
    }
  }
  return { occurrences, removed };
}

/** A start the rule produces, and what removes it, if anything. */
export interface PlannedStart {
  startMs: number;
  excludedDate?: string;
  blackout?: BlackoutPeriod;
}

/**
 * The starts in [fromMs, toMs) with their removal reasons, without building occurrence records: the cheap form
 * for checks that look far ahead (overlaps of windows that fire every few minutes).
 */
export function plannedStarts(window: WindowSpec, fromMs: number, toMs: number, blackouts: readonly BlackoutPeriod[]): PlannedStart[] {
  const zone = window.timezone;
  const excluded = new Map(window.exclude.map((date) => [parseDay(date), date]));
  const spans = blackouts.map((b) => blackoutSpan(b, zone));
  return recurrenceStarts(recurrenceOf(window), zone, fromMs, toMs).map(({ startMs }) => {
    const excludedDate = excluded.size === 0 ? undefined : excluded.get(localDayOf(startMs, zone));
    if (excludedDate !== undefined) return { startMs, excludedDate };
    const blackout = spans.find((b) => startMs >= b.fromMs && startMs < b.toMs)?.period;
    return blackout === undefined ? { startMs } : { startMs, blackout };
  });
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
