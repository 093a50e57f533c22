import { hostname } from 'node:os';
import { coerceError } from '../errors.js';
import { throttledErrorReporter } from '../platform/error-throttle.js';
import { createHostRunWorker, parseJobPayload } from '../queue/index.js';
import { createCancelWatch } from './cancel-watch.js';
import type { OrchestrationContext } from './context.js';
import type { HostRunExecutor } from './executor.js';
import { closeAbandonedRun, createHostRunProcessor } from './host-run-processor.js';
import { startWorkerPresence } from './worker-presence.js';

export interface WorkerRoleOptions {
  executor: HostRunExecutor;
  concurrency: number;
  /** Defaults to `<hostname>-<pid>`. */
  workerId?: string;
  /** BullMQ job lock and stalled check; also the host lock's lifetime. Default 30 s each. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RunningWorker {
  readonly workerId: string;
  /** Waits for the runs in progress to finish, then closes. Idempotent. */
  stop(): Promise<void>;
}

/** The worker role: takes host-run jobs and runs them through the executor. */
export function startWorkerRole(context: OrchestrationContext, options: WorkerRoleOptions): RunningWorker {
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  const cancelWatch = createCancelWatch(context.redis, context.prefix, { onError: throttledErrorReporter(context.logger, 'could not check for batches cancelled with --abort-running', { level: 'warn' }) });
  const processor = createHostRunProcessor(context, { executor: options.executor, workerId, hostLockTtlMs: options.lockDurationMs, cancelWatch });
  const worker = createHostRunWorker({
    connection: context.redis,
    prefix: context.prefix,
    concurrency: options.concurrency,
    name: workerId,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    processor,
  });
  worker.on('error', throttledErrorReporter(context.logger, 'host-run worker error'));
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    void (async () => {
      // Only a job BullMQ has given up on needs closing; one that will be retried is still alive.
      if ((await job.getState()) !== 'failed') return;
      const { batchId, hostId } = parseJobPayload('host-run', job.data);
      await closeAbandonedRun(context, batchId, hostId, `the queue gave up on it: ${error.message}`);
    })().catch((closeError: unknown) => context.logger.error({ err: coerceError(closeError), job: job.id }, 'could not close an abandoned run'));
  });
  const presence = startWorkerPresence(context.redis, context.prefix, workerId, throttledErrorReporter(context.logger, 'could not renew the worker presence', { level: 'warn' }));
  let stopping: Promise<void> | undefined;
  return {
    workerId,
    stop() {
      stopping ??= (async () => {
        await presence.stop();
        await worker.close();
        cancelWatch.stop();
        await context.audit.flush();
      })();
      return stopping;
    },
  };
}
