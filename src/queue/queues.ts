import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { HOST_RUN_QUEUE, hostRunJobId, type HostRunPayload } from './catalog.js';
import { HOST_RUN_ATTEMPTS, HOST_RUN_BACKOFF } from './retry-policy.js';

/**
 * BullMQ wiring for host runs. Queue keys live under the configured prefix (`<prefix>:host-runs:*`), beside the
 * store's keys, so one Redis can hold several installations.
 */
export type HostRunQueue = Queue<HostRunPayload, unknown, 'host-run'>;
export type HostRunJob = Job<HostRunPayload, unknown, 'host-run'>;

/** Finished jobs stay a week (so that a re-dispatch with the same id stays a no-op), at most 100,000 of each. */
const KEEP_FINISHED = { age: 7 * 24 * 3600, count: 100_000 };

export function createHostRunQueue(connection: Redis, prefix: string): HostRunQueue {
  return new Queue<HostRunPayload, unknown, 'host-run'>(HOST_RUN_QUEUE, { connection, prefix });
}

/** Adds one job per host with the deterministic id `batchId/hostId`; adding an id that exists is a no-op. */
export async function enqueueHostRuns(queue: HostRunQueue, runs: readonly HostRunPayload[]): Promise<void> {
  for (let start = 0; start < runs.length; start += 1000) {
    await queue.addBulk(
      runs.slice(start, start + 1000).map((payload) => ({
        name: 'host-run' as const,
        data: payload,
        opts: {
          jobId: hostRunJobId(payload.batchId, payload.hostId),
          attempts: HOST_RUN_ATTEMPTS,
          backoff: HOST_RUN_BACKOFF,
          removeOnComplete: KEEP_FINISHED,
          removeOnFail: KEEP_FINISHED,
        },
      })),
    );
  }
}

export interface HostRunWorkerOptions {
  connection: Redis;
  prefix: string;
  /** Host runs this process works on at once. */
  concurrency: number;
  /** Shown on jobs as the worker that took them. */
  name: string;
  /**
   * How long a job's BullMQ lock lasts without renewal: a worker that dies is noticed after about this long
   * (then the stalled check, every `stalledIntervalMs`, hands the job on). Defaults 30 s / 30 s.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  processor: (job: HostRunJob, token: string | undefined) => Promise<unknown>;
}

/**
 * A stalled job (its worker died) goes back to the queue once; the processor sees the run it left behind and
 * marks it interrupted rather than running the playbook a second time (see releases/host-run-processor.ts).
 */
export const MAX_STALLED_COUNT = 1;

export function createHostRunWorker(options: HostRunWorkerOptions): Worker<HostRunPayload, unknown, 'host-run'> {
  return new Worker<HostRunPayload, unknown, 'host-run'>(HOST_RUN_QUEUE, (job, token) => options.processor(job, token), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    name: options.name,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: MAX_STALLED_COUNT,
    removeOnComplete: KEEP_FINISHED,
    removeOnFail: KEEP_FINISHED,
  });
}
