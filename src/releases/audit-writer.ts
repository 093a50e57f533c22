import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { appendAudit, type AuditInput } from '../store/audit.js';

/**
 * Appends audit entries one at a time per process. `appendAudit` chains each entry onto the head with
 * WATCH/MULTI, which only protects against other connections; concurrent appends on one connection would
 * interleave their WATCHes, so this writer runs them in sequence on its own connection.
 */
export interface AuditWriter {
  record(input: AuditInput): Promise<void>;
  /** Waits for every entry handed in so far. */
  flush(): Promise<void>;
}

export function createAuditWriter(redis: Redis, prefix: string, logger: Logger): AuditWriter {
  let tail: Promise<void> = Promise.resolve();
  return {
    record(input) {
      const next = tail.then(async () => {
        await appendAudit(redis, prefix, input);
      });
      // A failed append is logged, not swallowed silently, and does not block the entries after it.
      tail = next.catch((error: unknown) => logger.error({ err: error, action: input.action, subject: input.subject }, 'audit append failed'));
      return next;
    },
    flush: () => tail,
  };
}
