import { formatBasicUtc } from './zoned-time.js';

/**
 * The deterministic id of a window occurrence: `windowId@YYYYMMDDTHHMMSSZ`, its start in UTC, basic ISO 8601.
 * Re-planning, or a second scheduler replica, computes the same id; it contains no `:` (BullMQ job ids).
 */
export function occurrenceId(windowId: string, start: number | Date | { toMillis(): number }): string {
  const ms = typeof start === 'number' ? start : start instanceof Date ? start.getTime() : start.toMillis();
  if (!Number.isFinite(ms)) throw new RangeError(`occurrenceId(${JSON.stringify(windowId)}): expected a valid start instant, given ${String(start)}`);
  return `${windowId}@${formatBasicUtc(ms)}`;
}

/** Splits an occurrence id back into window id and start (epoch ms); undefined if it is not one. */
export function parseOccurrenceId(id: string): { windowId: string; startMs: number } | undefined {
  const match = /^(.+)@(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  if (match === null) return undefined;
  const [, windowId, y, mo, d, h, mi, s] = match as unknown as [string, string, string, string, string, string, string, string];
  return { windowId, startMs: Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) };
}
