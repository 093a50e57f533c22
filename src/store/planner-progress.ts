import type { Redis } from 'ioredis';
import { storeKeys } from './keys.js';
import { runScript } from './lua.js';

/**
 * How far the planner has looked: `<prefix>:planner:checked-until` holds the instant (UTC ISO 8601, as
 * `Date.toISOString` writes it) up to which some planner tick has finished looking at every window. The next tick
 * looks back from there for occurrences whose cutoff passed unseen (releases/missed-windows.ts). Shared by every
 * scheduler on the Redis; it only ever moves forwards, so a scheduler with a slower clock or a tick that finished
 * late cannot make the next tick look at the same stretch of time twice.
 */

// The format every value has: the compare below is byte-wise over this fixed layout.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Sets the key to ARGV[1] if it is missing, not an instant, or earlier; returns the value it holds afterwards.
// Compared byte by byte, not with Lua's `<`, which collates with the server's locale.
const ADVANCE_CHECKED_UNTIL = `
local current = redis.call('GET', KEYS[1])
local function earlier(a, b)
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return false
end
local pattern = '^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$'
if current and string.match(current, pattern) and not earlier(current, ARGV[1]) then return current end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

/** The instant up to which the planner has looked, or undefined before the first tick ever (or if the key is unreadable). */
export async function plannerCheckedUntil(redis: Redis, prefix: string): Promise<Date | undefined> {
  const value = await redis.get(storeKeys(prefix).plannerCheckedUntil);
  if (value === null || !ISO_INSTANT.test(value)) return undefined;
  return new Date(value);
}

/** Moves the instant forwards to `to` (never backwards); returns the instant stored afterwards. */
export async function advancePlannerCheckedUntil(redis: Redis, prefix: string, to: Date): Promise<Date> {
  const stored = await runScript(redis, ADVANCE_CHECKED_UNTIL, [storeKeys(prefix).plannerCheckedUntil], [to.toISOString()]);
  return new Date(String(stored));
}
