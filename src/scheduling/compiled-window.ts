import { compileRecurrence, WindowRuleError, type CompiledRecurrence } from '../domain/index.js';
import type { WindowSpec } from './occurrence.js';

// Config windows are frozen and long-lived: parse each rule once.
const cache = new WeakMap<object, CompiledRecurrence>();

/** The window's parsed recurrence. Throws WindowRuleError naming the window when its rule cannot be read. */
export function recurrenceOf(window: WindowSpec): CompiledRecurrence {
  let compiled = cache.get(window);
  if (compiled === undefined) {
    try {
      compiled = compileRecurrence({ rrule: window.rrule, cron: window.cron, start: window.start, offsetDays: window.offsetDays, startsOn: window.startsOn });
    } catch (error) {
      throw new WindowRuleError(`window ${window.id}: ${(error as Error).message}`);
    }
    cache.set(window, compiled);
  }
  return compiled;
}
