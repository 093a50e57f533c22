import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { appendAuditBatch, type AuditInput } from '../store/audit.js';

/**
 * Appends audit entries for one process, in the order they are recorded, as a group commit: while one append is
 * on its way to Redis, the entries recorded meanwhile wait and then go together in the next one
 * (`appendAuditBatch`: one Lua step that checks the chain head and writes every entry). Each `record` resolves
 * once its own entry is in the chain, exactly as when entries went one at a time, so a caller that awaits it knows
 * the state change it just made is audited before it goes on. A batch that fails is retried entry by entry, so one
 * bad entry cannot take the others with it.
 */
export interface AuditWriter {
  record(input: AuditInput): Promise<void>;
  /** Waits for every entry handed in so far. */
  flush(): Promise<void>;
}

/** Entries per append at most: a bound on the size of one script call. */
const MAX_GROUP = 256;

interface Waiting {
  input: AuditInput;
  resolve(): void;
  reject(error: unknown): void;
}

export function createAuditWriter(redis: Redis, prefix: string, logger: Logger): AuditWriter {
  let waiting: Waiting[] = [];
  let draining: Promise<void> | undefined;

  const fail = (entry: Waiting, error: unknown): void => {
    // A failed append is logged, not swallowed silently, and does not block the entries after it.
    logger.error({ err: error, action: entry.input.action, subject: entry.input.subject }, 'audit append failed');
    entry.reject(error);
  };

  // `draining` is cleared in the same synchronous step as the loop's last emptiness check, so an entry recorded
  // after that check starts a new drain instead of waiting on one that has already ended.
  const drain = async (): Promise<void> => {
    try {
      while (waiting.length > 0) {
        const group = waiting.slice(0, MAX_GROUP);
        waiting = waiting.slice(group.length);
        await appendGroup(group);
      }
    } finally {
      draining = undefined;
    }
  };

  const appendGroup = async (group: Waiting[]): Promise<void> => {
    try {
      await appendAuditBatch(redis, prefix, group.map((entry) => entry.input));
      for (const entry of group) entry.resolve();
    } catch (error) {
      if (group.length === 1) {
        fail(group[0]!, error);
        return;
      }
      for (const entry of group) {
        try {
          await appendAuditBatch(redis, prefix, [entry.input]);
          entry.resolve();
        } catch (single) {
          fail(entry, single);
        }
      }
    }
  };

  return {
    record(input) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        draining ??= drain();
      });
    },
    async flush() {
      while (draining !== undefined) await draining;
    },
  };
}
