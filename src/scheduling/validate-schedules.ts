import { hostsOfWindow, type MaintenanceWindow, type ResolvedConfig } from '../config/index.js';
import {
  MS_PER_DAY,
  cronMinutesOfDay,
  firstStartFrom,
  formatDuration,
  formatInstantInZone,
  localToInstant,
  parseDay,
  recurrenceStarts,
  type CompiledRecurrence,
} from '../domain/index.js';
import type { ConfigIssue } from '../errors.js';
import { recurrenceOf } from './compiled-window.js';
import { blackoutsForWindow } from './blackouts.js';
import { plannedStarts } from './expand-window.js';

export interface ValidateSchedulesOptions {
  /** "Now" for the checks that look ahead (never fires, overlaps); defaults to the current time. */
  now?: number;
}

/** Every weekday/date combination recurs within 28 years (between 1901 and 2099). */
const NEVER_FIRES_HORIZON_DAYS = 28 * 366;
/** Two rule dates are at least a day apart; a DST change shortens that by at most 2 h (Antarctica/Troll). */
const SHORTEST_DAY_GAP_MS = 22 * 3_600_000;
const LOOKAHEAD_DAYS = 400;

/**
 * The checks on windows that need window arithmetic: a rule that never fires (error; a rule whose UNTIL has
 * passed is a warning), a duration longer than the gap between two occurrences (error), a cutoff that is not
 * shorter than the duration (error), and two windows that overlap for the same host within the next 400 days
 * (warning). Shape errors (unparseable rules, zones, HH:MM) are found earlier by the config schema.
 */
export function validateSchedules(config: ResolvedConfig, options: ValidateSchedulesOptions = {}): ConfigIssue[] {
  const now = options.now ?? Date.now();
  const issues: ConfigIssue[] = [];
  const firing: MaintenanceWindow[] = [];
  for (const window of config.windows) {
    const at = positionOf(config, window);
    const issue = (key: string, message: string, severity: ConfigIssue['severity'] = 'error'): void => {
      issues.push({ file: window.file, path: `${at}.${key}`, message: `window ${window.id}: ${message}`, severity });
    };
    let recurrence: CompiledRecurrence;
    try {
      recurrence = recurrenceOf(window);
    } catch (error) {
      issue(window.rrule === undefined ? 'cron' : 'rrule', (error as Error).message);
      continue;
    }
    const ruleKey = window.rrule === undefined ? 'cron' : 'rrule';
    if (window.cutoffMs >= window.durationMs) {
      issue('cutoff', `expected a cutoff shorter than the duration ${formatDuration(window.durationMs)}, given ${formatDuration(window.cutoffMs)}: no work could ever start; shorten the cutoff or lengthen the window`);
    }
    const fires = checkFires(window, recurrence, now);
    if (fires !== undefined) {
      issue(ruleKey, fires.message, fires.severity);
      continue;
    }
    const overlap = selfOverlap(window, recurrence, now);
    if (overlap !== undefined) issue('duration', overlap);
    firing.push(window);
  }
  issues.push(...windowOverlaps(config, firing, now));
  return issues;
}

function positionOf(config: ResolvedConfig, window: MaintenanceWindow): string {
  const schedule = config.schedules.find((s) => s.file === window.file);
  const index = schedule === undefined ? -1 : schedule.windows.findIndex((w) => w.id === window.id);
  return `windows[${index === -1 ? '?' : index}]`;
}

function checkFires(window: MaintenanceWindow, recurrence: CompiledRecurrence, now: number): { message: string; severity: ConfigIssue['severity'] } | undefined {
  const anchor = window.startsOn === undefined ? undefined : parseDay(window.startsOn);
  const from = anchor === undefined ? now : localToInstant(anchor, 0, window.timezone);
  if (firstStartFrom(recurrence, window.timezone, from, NEVER_FIRES_HORIZON_DAYS) !== undefined) {
    if (anchor !== undefined && firstStartFrom(recurrence, window.timezone, Math.max(from, now), NEVER_FIRES_HORIZON_DAYS) === undefined) {
      return { message: `${describeRule(window)} has no occurrence after today (its UNTIL or COUNT is used up); remove the window or extend the rule`, severity: 'warning' };
    }
    return undefined;
  }
  if (anchor === undefined && recurrence.kind === 'rrule' && recurrence.rule.until !== undefined) {
    return { message: `${describeRule(window)} has no occurrence after today (its UNTIL has passed); remove the window or extend the rule`, severity: 'warning' };
  }
  const since = anchor === undefined ? 'today' : window.startsOn;
  return { message: `${describeRule(window)} never fires: no date from ${since} within 28 years matches it (for example BYMONTHDAY=30 with BYMONTH=2); fix the rule`, severity: 'error' };
}

function describeRule(window: MaintenanceWindow): string {
  return window.rrule === undefined ? `cron ${JSON.stringify(window.cron)}` : `rrule ${JSON.stringify(window.rrule)}`;
}

/** A message when one occurrence would still be open when the next starts. */
function selfOverlap(window: MaintenanceWindow, recurrence: CompiledRecurrence, now: number): string | undefined {
  if (recurrence.kind === 'cron') {
    const minutes = cronMinutesOfDay(recurrence.cron);
    for (let i = 1; i < minutes.length; i += 1) {
      const gapMs = ((minutes[i] as number) - (minutes[i - 1] as number)) * 60_000;
      if (gapMs < window.durationMs) return durationMessage(window, gapMs, `the cron fires ${formatDuration(gapMs)} apart within a day`);
    }
  }
  if (window.durationMs <= SHORTEST_DAY_GAP_MS) return undefined;
  const anchor = window.startsOn === undefined ? undefined : parseDay(window.startsOn);
  const from = Math.max(now, anchor === undefined ? now : localToInstant(anchor, 0, window.timezone));
  const starts = recurrenceStarts(recurrence, window.timezone, from, from + LOOKAHEAD_DAYS * MS_PER_DAY);
  for (let i = 1; i < starts.length; i += 1) {
    const previous = starts[i - 1] as { startMs: number };
    const gapMs = (starts[i] as { startMs: number }).startMs - previous.startMs;
    if (gapMs < window.durationMs) {
      return durationMessage(window, gapMs, `occurrences start ${formatDuration(gapMs)} apart (from ${new Date(previous.startMs).toISOString()})`);
    }
  }
  return undefined;
}

function durationMessage(window: MaintenanceWindow, gapMs: number, why: string): string {
  return `expected a duration no longer than the time between two occurrences, given ${formatDuration(window.durationMs)} while ${why}; one occurrence would still be open when the next starts (shortest gap ${formatDuration(gapMs)})`;
}

/** One warning per pair of windows that share a host and have overlapping occurrences in the look-ahead. */
function windowOverlaps(config: ResolvedConfig, windows: MaintenanceWindow[], now: number): ConfigIssue[] {
  const to = now + LOOKAHEAD_DAYS * MS_PER_DAY;
  const spansOf = new Map<string, Span[]>();
  const spans = (window: MaintenanceWindow): Span[] => {
    let list = spansOf.get(window.id);
    if (list === undefined) {
      list = plannedStarts(window, now, to, blackoutsForWindow(config, window))
        .filter((p) => p.excludedDate === undefined && p.blackout === undefined)
        .map((p) => ({ startMs: p.startMs, endMs: p.startMs + window.durationMs }));
      spansOf.set(window.id, list);
    }
    return list;
  };
  const hostsOf = new Map(windows.map((w) => [w.id, new Set(hostsOfWindow(config, w).map((h) => h.id))]));
  const issues: ConfigIssue[] = [];
  for (let i = 0; i < windows.length; i += 1) {
    const a = windows[i] as MaintenanceWindow;
    const aHosts = hostsOf.get(a.id) as Set<string>;
    for (let j = i + 1; j < windows.length; j += 1) {
      const b = windows[j] as MaintenanceWindow;
      if (b.customerId !== a.customerId) continue;
      const shared = [...(hostsOf.get(b.id) as Set<string>)].filter((h) => aHosts.has(h));
      if (shared.length === 0) continue;
      const clash = firstOverlap(spans(a), spans(b));
      if (clash === undefined) continue;
      const hosts = `${shared.slice(0, 3).join(', ')}${shared.length > 3 ? ` and ${shared.length - 3} more` : ''}`;
      const show = (window: MaintenanceWindow, span: Span) => `${window.id} ${formatInstantInZone(span.startMs, window.timezone)}..${formatInstantInZone(span.endMs, window.timezone)}`;
      issues.push({
        file: b.file,
        path: positionOf(config, b),
        message: `windows ${a.id} and ${b.id} overlap for ${shared.length} host${shared.length === 1 ? '' : 's'} (${hosts}), first ${show(a, clash[0])} and ${show(b, clash[1])}; move one of them if that is not intended`,
        severity: 'warning',
      });
    }
  }
  return issues;
}

interface Span {
  startMs: number;
  endMs: number;
}

function firstOverlap(a: Span[], b: Span[]): [Span, Span] | undefined {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Span;
    const y = b[j] as Span;
    if (x.startMs < y.endMs && y.startMs < x.endMs) return [x, y];
    if (x.endMs <= y.endMs) i += 1;
    else j += 1;
  }
  return undefined;
}
