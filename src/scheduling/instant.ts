import type { InstantInput } from './occurrence.js';

/** Epoch milliseconds of an instant input. ISO strings must carry an offset or `Z`: a bare local time names no instant. */
export function toEpochMs(value: InstantInput, name = 'instant'): number {
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') {
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
      throw new RangeError(`expected ${name} as ISO 8601 with an offset or Z (e.g. 2026-03-01T00:00:00Z), given ${JSON.stringify(value)}`);
    }
    ms = Date.parse(value);
  } else ms = value.toMillis();
  if (!Number.isFinite(ms)) throw new RangeError(`expected ${name} to be a valid instant, given ${String(value)}`);
  return ms;
}
