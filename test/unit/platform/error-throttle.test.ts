import { afterEach, describe, expect, it, vi } from 'vitest';
import { throttledErrorReporter } from '../../../src/platform/error-throttle.js';
import type { Logger } from '../../../src/platform/logger.js';

function recordingLogger() {
  const lines: Array<{ fields: unknown; message: string }> = [];
  const logger = { error: (fields: unknown, message: string) => lines.push({ fields, message }) } as unknown as Logger;
  return { logger, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('throttledErrorReporter', () => {
  it('reports the first error at once, holds back the rest for the interval, then reports one with the count held back', () => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const { logger, lines } = recordingLogger();
    const report = throttledErrorReporter(logger, 'host-run queue error', { intervalMs: 30_000 });
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');

    report(refused);
    for (let i = 0; i < 200; i++) {
      vi.advanceTimersByTime(100); // an outage: a failure every 100 ms for 20 s
      report(refused);
    }
    expect(lines).toEqual([{ fields: { err: refused }, message: 'host-run queue error' }]);

    vi.advanceTimersByTime(10_000);
    report(refused);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.message).toBe('host-run queue error (and 200 more like it since the last report)');

    vi.advanceTimersByTime(30_000);
    report(new Error('other'));
    expect(lines[2]!.message).toBe('host-run queue error');
  });

  it('reports at the level asked for', () => {
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, message: string) => warnings.push(message), error: () => { throw new Error('not at error level'); } } as unknown as Logger;
    throttledErrorReporter(logger, 'could not renew the worker presence', { level: 'warn' })(new Error('down'));
    expect(warnings).toEqual(['could not renew the worker presence']);
  });
});
