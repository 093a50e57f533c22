import type { Redis } from 'ioredis';
import { storeKeys } from '../store/index.js';

/**
 * Stops the runs of a batch cancelled with `--abort-running` (`batches cancel`): one poll per worker process, of
 * the batches it has runs of, every `intervalMs`, instead of a read per run. An aborted run's commands are stopped
 * by their transport and the run ends failed with class `cancelled`, which the helpdesk does not escalate.
 */
export interface CancelWatch {
  /** Watches a run of `batchId`; `abort` is called once if its batch is cancelled with abort. Returns the unwatch. */
  watch(batchId: string, abort: (reason: string) => void): () => void;
  stop(): void;
}

/** The batch hash field that says runs in flight must stop: set by `cancelBatch` together with `cancelled`. */
export const ABORT_RUNNING_FIELD = 'abortRunning';

export function createCancelWatch(redis: Redis, prefix: string, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): CancelWatch {
  const watched = new Map<string, Set<(reason: string) => void>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      const keys = storeKeys(prefix);
      for (const batchId of [...watched.keys()]) {
        const [status, abortRunning, reason] = await redis.hmget(keys.batch(batchId), 'status', ABORT_RUNNING_FIELD, 'statusReason');
        if (status !== 'cancelled' || abortRunning !== '1') continue;
        const why = `the batch was cancelled with --abort-running (${reason ?? 'no reason given'})`;
        for (const abort of watched.get(batchId) ?? []) abort(why);
        watched.delete(batchId);
      }
    } catch (error) {
      options.onError?.(error);
    } finally {
      polling = false;
      if (watched.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    }
  };

  return {
    watch(batchId, abort) {
      let aborts = watched.get(batchId);
      if (aborts === undefined) {
        aborts = new Set();
        watched.set(batchId, aborts);
      }
      aborts.add(abort);
      if (timer === undefined) {
        timer = setInterval(() => void poll(), options.intervalMs ?? 1000);
        timer.unref();
      }
      return () => {
        const current = watched.get(batchId);
        current?.delete(abort);
        if (current !== undefined && current.size === 0) watched.delete(batchId);
      };
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      watched.clear();
    },
  };
}
