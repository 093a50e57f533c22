import { findHost, type MaintenanceWindow, type ResolvedConfig } from '../config/index.js';
import { blackoutsForWindow } from './blackouts.js';
import { AppError } from '../errors.js';
import { MS_PER_DAY } from '../domain/index.js';
import { expandConfigWindow, windowsForHost } from './config-windows.js';
import { expandWindow, plannedStarts, type ExpandOptions } from './expand-window.js';
import { toEpochMs } from './instant.js';
import type { InstantInput, Occurrence, WindowSpec } from './occurrence.js';

/** How far ahead `nextOccurrenceForHost` looks: a leap-day rule on a given weekday recurs within 28 years. */
export const NEXT_OCCURRENCE_HORIZON_DAYS = 30 * 366;

/**
 * The occurrence of a window that is open at `at` (start <= at < end), or undefined. Occurrences removed by
 * `exclude` or a blackout are never open.
 */
export function openOccurrenceAt(window: WindowSpec, at: InstantInput, options: Pick<ExpandOptions, 'blackouts' | 'hostIds'> = {}): Occurrence | undefined {
  const atMs = toEpochMs(at, 'at');
  // Any occurrence open at `at` started in (at - duration, at].
  const { occurrences } = expandWindow(window, { ...options, from: atMs - window.durationMs + 1, to: atMs + 1 });
  return occurrences.find((o) => o.startMs <= atMs && atMs < o.endMs);
}

/** Whether the window is open at `at`: an occurrence has started and not yet ended. */
export function isWindowOpen(window: WindowSpec, at: InstantInput, options: Pick<ExpandOptions, 'blackouts'> = {}): boolean {
  return openOccurrenceAt(window, at, options) !== undefined;
}

/** Whether an occurrence is open at `at` (start <= at < end). */
export function isOccurrenceOpen(occurrence: Pick<Occurrence, 'startMs' | 'endMs'>, at: InstantInput): boolean {
  const atMs = toEpochMs(at, 'at');
  return occurrence.startMs <= atMs && atMs < occurrence.endMs;
}

/** Whether new work may start at `at`: the occurrence is open and its cutoff has not passed (start <= at < cutoff). */
export function acceptsNewWork(occurrence: Pick<Occurrence, 'startMs' | 'cutoffMs'>, at: InstantInput): boolean {
  const atMs = toEpochMs(at, 'at');
  return occurrence.startMs <= atMs && atMs < occurrence.cutoffMs;
}

/**
 * Milliseconds from `at` until the occurrence's cutoff, when new work may still start; 0 before the
 * occurrence starts and at or after the cutoff.
 */
export function timeLeftBeforeCutoff(occurrence: Pick<Occurrence, 'startMs' | 'cutoffMs'>, at: InstantInput): number {
  const atMs = toEpochMs(at, 'at');
  return acceptsNewWork(occurrence, atMs) ? occurrence.cutoffMs - atMs : 0;
}

/**
 * The first occurrence, over every window that targets the host (the union), that starts strictly after
 * `after`. Blackouts and `exclude` dates are applied; ties are broken by window id. Undefined when no window
 * targets the host or none fires within 30 years. Throws AppError `not-found` for an unknown host.
 */
export function nextOccurrenceForHost(config: ResolvedConfig, hostId: string, after: InstantInput): Occurrence | undefined {
  if (findHost(config, hostId) === undefined) {
    throw new AppError('not-found', `nextOccurrenceForHost: expected the id of an inventory host, given ${JSON.stringify(hostId)}`);
  }
  const afterMs = toEpochMs(after, 'after');
  const windows = windowsForHost(config, hostId);
  let best: { window: MaintenanceWindow; startMs: number } | undefined;
  // Widening chunks: most windows fire within weeks, rare ones (a leap day) need years.
  let from = afterMs + 1;
  for (const days of [35, 366, NEXT_OCCURRENCE_HORIZON_DAYS]) {
    const to = afterMs + 1 + days * MS_PER_DAY;
    for (const window of windows) {
      const first = plannedStarts(window, from, to, blackoutsForWindow(config, window)).find((p) => p.excludedDate === undefined && p.blackout === undefined);
      if (first !== undefined && (best === undefined || first.startMs < best.startMs || (first.startMs === best.startMs && window.id < best.window.id))) {
        best = { window, startMs: first.startMs };
      }
    }
    if (best !== undefined) return expandConfigWindow(config, best.window, { from: best.startMs, to: best.startMs + 1 }).occurrences[0];
    from = to;
  }
  return undefined;
}
