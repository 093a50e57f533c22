import type { Logger } from './logger.js';

/**
 * Reports the errors of a connection-level source (a BullMQ queue or worker whose Redis went away): the first at
 * once, then at most one line per `intervalMs` saying how many more came. While Redis is down such a source fails
 * every 100 ms or so, and a line per failure buries everything else in the log. Without a listener at all, BullMQ
 * prints each error with its stack to stderr.
 */
export function throttledErrorReporter(logger: Logger, what: string, options: { intervalMs?: number; level?: 'warn' | 'error' } = {}): (error: unknown) => void {
  const intervalMs = options.intervalMs ?? 30_000;
  const level = options.level ?? 'error';
  let lastReportAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastReportAt < intervalMs) {
      suppressed += 1;
      return;
    }
    const more = suppressed === 0 ? '' : ` (and ${suppressed} more like it since the last report)`;
    logger[level]({ err: error }, `${what}${more}`);
    lastReportAt = now;
    suppressed = 0;
  };
}
