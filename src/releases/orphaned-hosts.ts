import { enqueueHostRuns, hostRunJobId } from '../queue/index.js';
import { closeHandOut, openHandOuts, storeKeys, type BatchRecord } from '../store/index.js';
import type { OrchestrationContext } from './context.js';
import { closeAbandonedRun } from './host-run-processor.js';

/** Failed jobs read per step: a bound on one reply. */
const PAGE = 1000;

/**
 * The dispatcher moves hosts to `queued` in the store a moment before their jobs reach BullMQ (dispatcher.ts). A
 * scheduler that dies in between, or an `addBulk` that fails, leaves those hosts queued with no job, and nothing
 * would run them. In a running batch they would wait for the cutoff and be deferred; a batch halted or cancelled
 * meanwhile would never close, since it waits for its hosts in flight. Such a hand-out is still open in the store
 * (store/hand-outs.ts) while no dispatcher holds the batch's lock; this looks only at the hosts of those hand-outs,
 * re-adds the jobs of the ones still queued whose job does not exist, and then closes the hand-out. A batch whose
 * hand-outs all completed costs one read, however many hosts it has. The job id is the deterministic
 * `batchId/hostId`, so a job that a dispatcher adds at the same moment is not doubled (BullMQ keeps the first), and
 * a host whose job exists in any state (waiting, delayed for a retry, active, kept after it finished) is left
 * alone. Whatever the batch's status: a worker that takes the job of a batch no longer running skips the host
 * with the reason, which lets the batch close. Returns the hosts whose jobs were added.
 */
export async function requeueOrphanedHosts(context: OrchestrationContext, batch: Pick<BatchRecord, 'id' | 'hostIds'>): Promise<string[]> {
  const keys = storeKeys(context.prefix);
  // Read before the lock: a hand-out begun after this read is not looked at, and one begun before it by a live
  // dispatcher shows as the lock held (the dispatcher keeps it until its adds are done).
  const handOuts = await openHandOuts(context.redis, context.prefix, batch.id);
  if (handOuts.length === 0) return [];
  // A dispatcher that died lets its lock expire (15 s); a later check then does the repair.
  if ((await context.redis.exists(keys.batchDispatchLock(batch.id))) === 1) return [];
  const requeued: string[] = [];
  for (const handOut of handOuts) {
    const hostIds = batch.hostIds.slice(handOut.from, handOut.to);
    const states = hostIds.length === 0 ? [] : await context.redis.hmget(keys.batchHosts(batch.id), ...hostIds);
    const queued = hostIds.filter((_, index) => states[index] === 'queued');
    if (queued.length > 0) {
      const exists = (await context.redis.pipeline(queued.map((hostId) => ['exists', context.queue.toKey(hostRunJobId(batch.id, hostId))])).exec()) ?? [];
      const missing = queued.filter((_, index) => exists[index]?.[1] === 0);
      if (missing.length > 0) {
        await enqueueHostRuns(context.queue, missing.map((hostId) => ({ batchId: batch.id, hostId })));
        requeued.push(...missing);
      }
    }
    await closeHandOut(context.redis, context.prefix, batch.id, handOut.id);
  }
  if (requeued.length > 0) {
    context.logger.warn({ batch: batch.id, hosts: requeued.length }, `re-added the jobs of ${requeued.length} queued host${requeued.length === 1 ? '' : 's'} that had none (a dispatcher stopped between queueing them and handing them to BullMQ)`);
  }
  return requeued;
}

/**
 * When BullMQ gives up on a host's job (attempts used up, or stalled more often than allowed), the worker that saw
 * it closes the host's run as interrupted (worker-role.ts). A worker that dies at that moment, or loses Redis,
 * leaves the host queued or running with its job in BullMQ's failed set: no job would ever end it, and the batch
 * would wait for the cutoff. This reads the jobs that failed since `sinceMs` (BullMQ scores its failed set by the
 * time a job failed) and closes the hosts among them still queued or running the same way, with BullMQ's reason.
 * It costs a read per failed job, not per host in flight. Closing is a compare-and-set on the host's state, so a
 * worker closing the same host at the same moment does not close it twice. Any batch is looked at: a halted or
 * cancelled batch waits for its hosts in flight too. Returns the runs closed.
 */
export async function closeGivenUpHosts(context: OrchestrationContext, sinceMs = 0): Promise<Array<{ batchId: string; hostId: string }>> {
  const keys = storeKeys(context.prefix);
  const failedSet = context.queue.toKey('failed');
  const closed: Array<{ batchId: string; hostId: string }> = [];
  for (let offset = 0; ; offset += PAGE) {
    const jobIds = await context.redis.zrangebyscore(failedSet, sinceMs, '+inf', 'LIMIT', offset, PAGE);
    // Job ids are `batchId/hostId` (queue/catalog.ts); batch ids have no "/".
    const runs = jobIds.flatMap((jobId) => {
      const slash = jobId.indexOf('/');
      return slash <= 0 ? [] : [{ jobId, batchId: jobId.slice(0, slash), hostId: jobId.slice(slash + 1) }];
    });
    const states = runs.length === 0 ? [] : ((await context.redis.pipeline(runs.map((run) => ['hget', keys.batchHosts(run.batchId), run.hostId])).exec()) ?? []);
    for (const [index, run] of runs.entries()) {
      const state = states[index]?.[1];
      if (state !== 'queued' && state !== 'running') continue;
      const reason = (await context.redis.hget(context.queue.toKey(run.jobId), 'failedReason')) ?? 'no reason recorded';
      await closeAbandonedRun(context, run.batchId, run.hostId, `the queue gave up on it (${reason}) and the worker that saw it did not close the run`);
      closed.push({ batchId: run.batchId, hostId: run.hostId });
    }
    if (jobIds.length < PAGE) break;
  }
  if (closed.length > 0) {
    context.logger.warn({ runs: closed.map((run) => `${run.batchId}/${run.hostId}`) }, `closed ${closed.length} host run${closed.length === 1 ? '' : 's'} whose job BullMQ had given up on without the run being closed`);
  }
  return closed;
}
