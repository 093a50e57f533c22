/**
 * What a window expands to. Instants are given twice: as ISO 8601 strings with the offset of the window's zone
 * at that instant (`2026-03-12T22:00:00+01:00`, for people, JSON and luxon's `DateTime.fromISO`), and as epoch
 * milliseconds (`startMs`…, for comparisons and Redis scores). Both always name the same instant.
 */
export interface Occurrence {
  /** `windowId@YYYYMMDDTHHMMSSZ`, see `occurrenceId`. */
  id: string;
  windowId: string;
  customerId: string;
  /** IANA zone the window is computed in. */
  timezone: string;
  /** Local date `YYYY-MM-DD` on which it starts, in `timezone`. */
  localDate: string;
  start: string;
  end: string;
  /** No new work starts at or after this instant: `end - cutoff`. */
  cutoff: string;
  startMs: number;
  endMs: number;
  cutoffMs: number;
  playbooks: readonly string[];
  hostIds: readonly string[];
  approval: 'required' | 'auto';
}

export type RemovalKind = 'exclude' | 'blackout';

/** An occurrence the rule produced but an `exclude` date or a blackout removed; reported, never silently dropped. */
export interface RemovedOccurrence {
  id: string;
  windowId: string;
  customerId: string;
  timezone: string;
  start: string;
  startMs: number;
  kind: RemovalKind;
  /** The blackout's id for kind `blackout`. */
  blackoutId?: string;
  /** A sentence for people: `blackout year-end-freeze (customer acme) from 2026-12-20 to 2027-01-03`. */
  reason: string;
}

/**
 * A blackout: local dates, inclusive, read in each window's own zone. No occurrence may start from 00:00 on
 * `from` up to (not including) 00:00 on the day after `to`.
 */
export interface BlackoutPeriod {
  id: string;
  from: string;
  to: string;
  reason?: string;
  /** `customer` (the schedule file) or `global` (redback.yaml). */
  scope: 'customer' | 'global';
}

/** The window fields expansion needs; a `MaintenanceWindow` from the config has them all. */
export interface WindowSpec {
  id: string;
  customerId: string;
  /** IANA zone the rule is read in. */
  timezone: string;
  /** Exactly one of `rrule` (with `start`) and `cron`. */
  rrule?: string;
  cron?: string;
  /** Local start `HH:MM`, with `rrule`. */
  start?: string;
  /** First local date of the rule (DTSTART), `YYYY-MM-DD`. */
  startsOn?: string;
  offsetDays: number;
  durationMs: number;
  cutoffMs: number;
  /** Local dates `YYYY-MM-DD` without an occurrence. */
  exclude: readonly string[];
  playbooks: readonly string[];
  approval?: 'required' | 'auto';
}

/** An instant as epoch ms, a Date, an ISO 8601 string with offset, or anything with `toMillis()` (luxon). */
export type InstantInput = number | Date | string | { toMillis(): number };
