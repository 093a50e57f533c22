import { findCustomer, findHost, hostsOfWindow, type MaintenanceWindow, type ResolvedConfig } from '../config/index.js';
import { localToInstant, parseDay } from '../domain/index.js';
import { AppError } from '../errors.js';
import { blackoutsForWindow } from './blackouts.js';
import { expandWindow, type Expansion } from './expand-window.js';

/**
 * A calendar range bound as people type it: an instant (ISO 8601 with offset or Z) is exact; a plain date
 * (`2026-03-01`) is read in each window's own zone, `from` at 00:00 of that date and `to` through the end of
 * that date (to 00:00 of the next day), so `--from 2026-03-01 --to 2026-03-31` is "March" for every customer.
 */
export type RangeBound = { kind: 'instant'; ms: number } | { kind: 'date'; date: string };

/** Parses `--from`/`--to`. Throws AppError `input-invalid` with a message saying what to type. */
export function parseRangeBound(text: string, name: 'from' | 'to'): RangeBound {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    if (parseDay(trimmed) === undefined) throw new AppError('input-invalid', `--${name}: expected a date that exists, given ${JSON.stringify(text)}`);
    return { kind: 'date', date: trimmed };
  }
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed);
  const ms = full ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(ms)) {
    const hint = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(trimmed) ? ' (a time without an offset names no instant: add Z or +01:00)' : '';
    throw new AppError('input-invalid', `--${name}: expected a date YYYY-MM-DD or an instant like 2026-03-01T00:00:00Z or 2026-03-01T00:00:00+01:00, given ${JSON.stringify(text)}${hint}`);
  }
  return { kind: 'instant', ms };
}

/** The bound as an instant for a window in `zone`. */
export function boundInstant(bound: RangeBound, zone: string, name: 'from' | 'to'): number {
  if (bound.kind === 'instant') return bound.ms;
  const day = parseDay(bound.date) as number;
  return localToInstant(name === 'from' ? day : day + 1, 0, zone);
}

export interface CalendarQuery {
  from: RangeBound;
  to: RangeBound;
  customerId?: string;
  hostId?: string;
}

/**
 * Occurrences and removed occurrences of every window in the config (or of one customer, or of the windows
 * that target one host), sorted by start and then window id. Throws AppError `not-found` for an unknown
 * customer or host and `input-invalid` for a range that ends before it starts.
 */
export function buildCalendar(config: ResolvedConfig, query: CalendarQuery): Expansion {
  if (query.customerId !== undefined && findCustomer(config, query.customerId) === undefined) {
    throw new AppError('not-found', `--customer: expected the id of an inventory customer (${config.customers.map((c) => c.id).join(', ') || 'none defined'}), given ${JSON.stringify(query.customerId)}`);
  }
  if (query.hostId !== undefined && findHost(config, query.hostId) === undefined) {
    throw new AppError('not-found', `--host: expected the id of an inventory host, given ${JSON.stringify(query.hostId)}`);
  }
  checkRangeOrder(query);
  const occurrences: Expansion['occurrences'] = [];
  const removed: Expansion['removed'] = [];
  for (const window of selectWindows(config, query)) {
    const hostIds = hostsOfWindow(config, window).map((h) => h.id);
    const result = expandWindow(window, {
      from: boundInstant(query.from, window.timezone, 'from'),
      to: boundInstant(query.to, window.timezone, 'to'),
      blackouts: blackoutsForWindow(config, window),
      hostIds,
    });
    // A loop, not push(...spread): a five-minute window over two years is 200,000 occurrences, more arguments than
    // a call may take.
    for (const occurrence of result.occurrences) occurrences.push(occurrence);
    for (const removal of result.removed) removed.push(removal);
  }
  const byStart = (a: { startMs: number; windowId: string }, b: { startMs: number; windowId: string }) => a.startMs - b.startMs || a.windowId.localeCompare(b.windowId);
  return { occurrences: occurrences.sort(byStart), removed: removed.sort(byStart) };
}

function selectWindows(config: ResolvedConfig, query: CalendarQuery): MaintenanceWindow[] {
  return config.windows.filter(
    (w) =>
      (query.customerId === undefined || w.customerId === query.customerId) &&
      (query.hostId === undefined || hostsOfWindow(config, w).some((h) => h.id === query.hostId)),
  );
}

function checkRangeOrder(query: CalendarQuery): void {
  const { from, to } = query;
  const bad =
    from.kind === 'date' && to.kind === 'date' ? from.date > to.date : from.kind === 'instant' && to.kind === 'instant' ? from.ms >= to.ms : false;
  if (bad) {
    const show = (b: RangeBound) => (b.kind === 'date' ? b.date : new Date(b.ms).toISOString());
    throw new AppError('input-invalid', `expected --from before --to (a plain --to date is inclusive), given --from ${show(from)} --to ${show(to)}`);
  }
}
