import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { appendToAuditInbox, sealAudit, sealAuditInBackground, type AuditInput } from '../store/audit.js';

/**
 * Appends audit entries for one process, in the order they are recorded, as a group commit: while one append is
 * on its way to Redis, the entries recorded meanwhile wait and then go together in the next one (one step into the
 * audit inbox, then a seal that chains them: store/audit.ts). Each `record` resolves once its own entry is in the
 * audit trail, chained (or, if chaining failed, waiting in the inbox for the next seal or read, which is logged),
 * so a caller that awaits it knows the state change it just made is audited before it goes on. A group whose
 * append fails is appended entry by entry, so one bad entry cannot take the others with it; an entry that reached
 * the inbox is never appended again.
 *
 * Store steps that write their own entry into the inbox together with their change (a host run's start and end)
 * call `sealSoon`: the chaining then happens in the background, several runs at a time.
 */
export interface AuditWriter {
  record(input: AuditInput): Promise<void>;
  /** Entries went into the inbox by another step: chain them soon, without waiting. */
  sealSoon(): void;
  /** Waits for every entry handed in so far, and chains whatever waits in the inbox. */
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
  let sealing: Promise<void> | undefined;
  let sealAgain = false;
  // Whether this writer put entries into the inbox (or was asked to seal) since its last full seal: `flush` has
  // nothing to do otherwise, and must not wait on a Redis that is down at shutdown.
  let dirty = false;

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
    let ids: string[] | undefined;
    try {
      ids = await appendToAuditInbox(redis, prefix, group.map((entry) => entry.input));
    } catch (error) {
      if (group.length === 1) {
        fail(group[0]!, error);
        return;
      }
      // One at a time, so that one bad entry cannot take the others with it.
      ids = [];
      for (const entry of group) {
        try {
          ids.push(...(await appendToAuditInbox(redis, prefix, [entry.input])));
        } catch (single) {
          fail(entry, single);
          group = group.filter((other) => other !== entry);
        }
      }
    }
    if (ids.length === 0) return;
    dirty = true;
    // In the inbox the entries are recorded, in order, and nothing appends them again; chaining them now is what
    // makes `record` resolve with its entry in the chain. If that fails, the next seal or read chains them.
    await sealAudit(redis, prefix, { through: ids[ids.length - 1] }).catch((error: unknown) =>
      logger.warn({ err: error }, 'audit entries are recorded but not chained yet; the next seal or read chains them'),
    );
    for (const entry of group) entry.resolve();
  };

  // One background seal at a time; a request made while one runs starts another right after it, so entries that
  // arrived during a seal are not left waiting for the next run's end.
  const sealInBackground = (): void => {
    dirty = true;
    if (sealing !== undefined) {
      sealAgain = true;
      return;
    }
    sealing = (async () => {
      try {
        do {
          sealAgain = false;
          await sealAuditInBackground(redis, prefix);
        } while (sealAgain);
      } catch (error) {
        logger.error({ err: error }, 'audit sealing failed; the entries stay in the inbox and the next seal or read chains them');
      } finally {
        sealing = undefined;
      }
    })();
  };

  return {
    record(input) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        draining ??= drain();
      });
    },
    sealSoon: sealInBackground,
    async flush() {
      while (draining !== undefined) await draining;
      while (sealing !== undefined) await sealing;
      if (!dirty) return;
      dirty = false;
      await sealAudit(redis, prefix, { through: '+' }).catch((error: unknown) => logger.error({ err: error }, 'could not chain the audit inbox; the next seal or read chains it'));
    },
  };
}
