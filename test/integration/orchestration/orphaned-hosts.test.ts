import { UnrecoverableError, Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { isFinalBatchStatus } from '../../../src/domain/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { HOST_RUN_QUEUE, hostRunJobId } from '../../../src/queue/index.js';
import { cancelBatch, dispatchBatch, plannerTick, startScheduler, startWorkerRole, type HostRunExecutor, type OrchestrationContext } from '../../../src/releases/index.js';
import { closeGivenUpHosts, requeueOrphanedHosts } from '../../../src/releases/orphaned-hosts.js';
import { batchHosts, getBatch, listRuns, openBatchIds, openHandOuts, readEvents, storeKeys, transitionHost } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { waitFor, waitForFinalBatch } from '../../support/orchestration/wait.js';

const BATCH = 'fleet@20300101T030000Z';
const OPEN = '2030-01-01T03:00:10Z';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Counts the runs of each host, so a host run twice shows. */
function countingExecutor() {
  const started: string[] = [];
  const executor: HostRunExecutor = async (request) => {
    started.push(request.host.id);
    return { status: 'succeeded', failureClass: null, reason: null, steps: [] };
  };
  return { executor, started };
}

/**
 * The state a scheduler leaves when it dies between the two steps of a hand-out: the hosts are queued in the store
 * (their runs recorded), but the jobs of `orphans` never reached BullMQ. Made with a queue whose `addBulk` adds the
 * other jobs and then fails, as a connection lost in the middle of it would.
 */
async function queuedWithoutJobs(context: OrchestrationContext, orphans: readonly string[]): Promise<void> {
  await plannerTick(context);
  const missing = new Set(orphans.map((hostId) => hostRunJobId(BATCH, hostId)));
  const queue = new Proxy(context.queue, {
    get: (target, property) =>
      property === 'addBulk'
        ? async (jobs: Parameters<typeof target.addBulk>[0]) => {
            await target.addBulk(jobs.filter((job) => !missing.has(job.opts?.jobId ?? '')));
            throw new Error('the connection to Redis was lost');
          }
        : Reflect.get(target, property, target),
  });
  await expect(dispatchBatch({ ...context, queue }, BATCH)).rejects.toThrow('the connection to Redis was lost');
  const states = await batchHosts(context.redis, context.prefix, (await getBatch(context.redis, context.prefix, BATCH))!);
  expect(states.map((h) => h.state)).toEqual(['queued', 'queued', 'queued', 'queued']);
  expect(await context.queue.getWaitingCount()).toBe(4 - orphans.length);
  expect((await openHandOuts(context.redis, context.prefix, BATCH)).map((h) => h.id), 'the hand-out stays open').toEqual(['0-4']);
}

describe('queued hosts whose jobs never reached BullMQ (real Redis and BullMQ)', () => {
  it('re-adds only the missing jobs, once; the batch then runs every host exactly once', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans'), hosts: 4, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    const orphans = [fleetHostId(2), fleetHostId(4)];
    await queuedWithoutJobs(context, orphans);

    const batch = (await getBatch(context.redis, context.prefix, BATCH))!;
    expect((await requeueOrphanedHosts(context, batch)).sort()).toEqual(orphans);
    expect(await openHandOuts(context.redis, context.prefix, BATCH), 'the repair closes the hand-out').toEqual([]);
    expect(await requeueOrphanedHosts(context, batch), 'a second pass has nothing to look at').toEqual([]);
    expect(await context.queue.getWaitingCount()).toBe(4);

    const { executor, started } = countingExecutor();
    const worker = startWorkerRole(context, { executor, concurrency: 4 });
    cleanups.push(() => worker.stop());
    const finished = await waitFor(`batch ${BATCH} to finish`, async () => {
      await dispatchBatch(context, BATCH);
      const current = await getBatch(context.redis, context.prefix, BATCH);
      return current !== undefined && isFinalBatchStatus(current.status) ? current : undefined;
    }, 20_000);
    expect(finished.status).toBe('succeeded');
    expect([...started].sort()).toEqual([1, 2, 3, 4].map(fleetHostId));
    expect((await listRuns(context.redis, context.prefix, { batchId: BATCH })).map((r) => `${r.hostId} ${r.status} ${r.attempts}`).sort()).toEqual([1, 2, 3, 4].map((i) => `${fleetHostId(i)} succeeded 1`));
  });

  it('a hand-out whose job adds fail ends with the error, not an unhandled rejection; its queued hosts get their jobs from the orphan check', async () => {
    // 1,200 hosts: three chunks of 500. The first chunk's add fails while the second chunk is being queued.
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans-failed-add'), hosts: 1200, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await plannerTick(context);
    const failingQueue = new Proxy(context.queue, {
      get: (target, property) => (property === 'addBulk' ? async () => Promise.reject(new Error('the queue refused the jobs')) : Reflect.get(target, property, target)),
    });
    await expect(dispatchBatch({ ...context, queue: failingQueue }, BATCH)).rejects.toThrow('the queue refused the jobs');
    const batch = (await getBatch(context.redis, context.prefix, BATCH))!;
    const states = (await batchHosts(context.redis, context.prefix, batch)).map((h) => h.state);
    expect(states.filter((s) => s === 'queued')).toHaveLength(1000);
    expect(states.filter((s) => s === 'pending')).toHaveLength(200);
    expect(await context.queue.getWaitingCount()).toBe(0);
    expect((await openHandOuts(context.redis, context.prefix, BATCH)).map((h) => h.id).sort(), 'neither chunk reached BullMQ').toEqual(['0-500', '500-1000']);

    expect(await requeueOrphanedHosts(context, batch)).toHaveLength(1000);
    await dispatchBatch(context, BATCH); // the rest, through the working queue
    expect(await context.queue.getWaitingCount()).toBe(1200);
    expect(await openHandOuts(context.redis, context.prefix, BATCH), 'a hand-out whose jobs were added is closed').toEqual([]);
  });

  it('repairs the hand-out of a batch cancelled meanwhile: the worker skips its hosts and the batch closes', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans-cancelled'), hosts: 4, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await queuedWithoutJobs(context, [fleetHostId(2)]);
    const batch = (await getBatch(context.redis, context.prefix, BATCH))!;
    expect(await cancelBatch(context, batch, 'change freeze')).toBe(true);
    const cancelled = (await getBatch(context.redis, context.prefix, BATCH))!;
    expect(cancelled.status).toBe('cancelled');
    expect(await requeueOrphanedHosts(context, cancelled)).toEqual([fleetHostId(2)]);

    const { executor, started } = countingExecutor();
    const worker = startWorkerRole(context, { executor, concurrency: 4 });
    cleanups.push(() => worker.stop());
    await waitFor(`batch ${BATCH} to leave the open list`, async () => {
      await dispatchBatch(context, BATCH); // as the scheduler's loop does
      return (await openBatchIds(context.redis, context.prefix)).includes(BATCH) ? undefined : true;
    }, 20_000);
    expect(started, 'no host of a cancelled batch runs').toEqual([]);
    expect((await batchHosts(context.redis, context.prefix, batch)).map((h) => h.state)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('leaves an open hand-out alone while a dispatcher holds the batch\'s lock, and repairs it once the lock is gone', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans-locked'), hosts: 4, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await queuedWithoutJobs(context, [fleetHostId(3)]);
    const batch = (await getBatch(context.redis, context.prefix, BATCH))!;
    // A live dispatcher between its two steps: its jobs are on their way, not missing.
    const lock = storeKeys(context.prefix).batchDispatchLock(BATCH);
    await context.redis.set(lock, 'another-dispatcher', 'PX', 60_000);
    expect(await requeueOrphanedHosts(context, batch)).toEqual([]);
    expect(await openHandOuts(context.redis, context.prefix, BATCH)).toHaveLength(1);
    await context.redis.del(lock); // as when a dead dispatcher's lock expires
    expect(await requeueOrphanedHosts(context, batch)).toEqual([fleetHostId(3)]);
    expect(await context.queue.getWaitingCount()).toBe(4);
  });

  it('has nothing to do for a batch that has not handed out any host', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans-idle'), hosts: 2, approval: 'required' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await plannerTick(context);
    const batch = (await getBatch(context.redis, context.prefix, BATCH))!;
    expect(batch.status).not.toBe('running');
    expect(await requeueOrphanedHosts(context, batch)).toEqual([]);
    expect(await context.queue.getWaitingCount()).toBe(0);
  });

  it('a scheduler that starts after the one that died repairs the hand-out, and the batch completes', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('orphans-scheduler'), hosts: 4, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await queuedWithoutJobs(context, [fleetHostId(1), fleetHostId(3)]);

    const { executor, started } = countingExecutor();
    const worker = startWorkerRole(context, { executor, concurrency: 4 });
    cleanups.push(() => worker.stop());
    const scheduler = startScheduler(context, { dispatchIntervalMs: 100 });
    cleanups.push(() => scheduler.stop());
    const finished = await waitForFinalBatch(context, BATCH);
    expect(finished.status).toBe('succeeded');
    expect([...started].sort()).toEqual([1, 2, 3, 4].map(fleetHostId));
  });
});

describe('hosts whose job BullMQ gave up on while no worker closed the run (real Redis and BullMQ)', () => {
  /**
   * What a worker that dies (or loses Redis) just as BullMQ fails its job leaves behind: the job in the failed set,
   * the host still in flight. Made with a bare BullMQ worker on the same queue that fails every job for good and,
   * like a dead worker, does not close the runs.
   */
  async function failJobsWithoutClosing(context: OrchestrationContext, count: number): Promise<void> {
    let failed = 0;
    const connection = context.redis.duplicate();
    const bare = new Worker(HOST_RUN_QUEUE, async () => {
      throw new UnrecoverableError('job stalled more than allowable limit');
    }, { connection, prefix: context.prefix, concurrency: 4 });
    bare.on('failed', () => (failed += 1));
    await waitFor('the bare worker to fail every job', async () => (failed === count ? true : undefined), 10_000);
    await bare.close();
    await connection.quit();
  }

  /** A running batch of `hosts` hosts, every host queued with its job waiting and no worker. */
  async function handedOutBatch(label: string, hosts: number) {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix(label), hosts, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    await plannerTick(context);
    await dispatchBatch(context, BATCH);
    return { context, batch: (await getBatch(context.redis, context.prefix, BATCH))! };
  }

  it('closes them as interrupted with the queue\'s reason, once; the batch then finishes', async () => {
    const { context, batch } = await handedOutBatch('given-up', 3);
    // One host was running when its worker died (its job stalled for good); the other two never started.
    await transitionHost(context.redis, context.prefix, batch, fleetHostId(2), ['queued'], 'running');
    await failJobsWithoutClosing(context, 3);
    expect((await batchHosts(context.redis, context.prefix, batch)).map((h) => h.state)).toEqual(['queued', 'running', 'queued']);
    expect(await requeueOrphanedHosts(context, batch), 'a failed job exists: not re-added').toEqual([]);

    expect(await closeGivenUpHosts(context, Date.now() + 60_000), 'jobs that failed before the given instant are not read').toEqual([]);
    expect((await closeGivenUpHosts(context)).map((run) => `${run.batchId} ${run.hostId}`).sort()).toEqual([1, 2, 3].map((i) => `${BATCH} ${fleetHostId(i)}`));
    expect(await closeGivenUpHosts(context), 'a second pass finds nothing in flight').toEqual([]);
    const runs = await listRuns(context.redis, context.prefix, { batchId: BATCH });
    expect(runs.map((r) => `${r.hostId} ${r.status} ${r.failureClass}`).sort()).toEqual([1, 2, 3].map((i) => `${fleetHostId(i)} interrupted internal`));
    for (const run of runs) expect(run.reason, run.hostId).toContain('job stalled more than allowable limit');
    const interrupted = (await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'run.interrupted');
    expect(interrupted).toHaveLength(3);
    const finished = await getBatch(context.redis, context.prefix, BATCH);
    expect(finished?.status).toBe('failed');
  });

  it('a scheduler finds and closes them, and leaves hosts whose jobs are alive alone', async () => {
    const { context } = await handedOutBatch('given-up-scheduler', 2);
    expect(await closeGivenUpHosts(context), 'waiting jobs are alive').toEqual([]);
    await failJobsWithoutClosing(context, 2);
    const scheduler = startScheduler(context, { dispatchIntervalMs: 100 });
    cleanups.push(() => scheduler.stop());
    const finished = await waitForFinalBatch(context, BATCH);
    expect(finished.status).toBe('failed');
    expect((await listRuns(context.redis, context.prefix, { batchId: BATCH })).map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
  });
});
