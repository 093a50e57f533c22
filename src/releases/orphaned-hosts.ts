import { enqueueHostRuns, hostRunJobId } from '../queue/index.js';
import { storeKeys, type BatchRecord } from '../store/index.js';
import type { OrchestrationContext } from './context.js';
import { closeAbandonedRun } from './host-run-processor.js';

/** In-flight members read per step: a bound on one reply for a batch of tens of thousands of hosts. */
const PAGE = 1000;

/**
 * The dispatcher moves hosts to `queued` in the store a moment before their jobs reach BullMQ (dispatcher.ts). A
 * scheduler that dies in between leaves those hosts queued with no job: nothing would run them, and they would wait
 * for the cutoff to be deferred. This finds the queued hosts of a running batch whose job does not exist and adds
 * it again. The job id is the deterministic `batchId/hostId`, so a job that the dispatcher adds at the same moment
 * is not doubled (BullMQ keeps the first), and a host whose job exists in any state (waiting, delayed for a retry,
 * active, kept after it finished) is left alone. Returns the hosts whose jobs were added.
 */
export async function requeueOrphanedHosts(context: OrchestrationContext, batch: Pick<BatchRecord, 'id' | 'status'>): Promise<string[]> {
  if (batch.status !== 'running') return [];
  const requeued: string[] = [];
  await forEachInFlightPage(context, batch.id, async (hosts) => {
    const queued = hosts.filter((host) => host.state === 'queued').map((host) => host.hostId);
    if (queued.length === 0) return;
    const exists = (await context.redis.pipeline(queued.map((hostId) => ['exists', context.queue.toKey(hostRunJobId(batch.id, hostId))])).exec()) ?? [];
    const missing = queued.filter((_, index) => exists[index]?.[1] === 0);
    if (missing.length === 0) return;
    await enqueueHostRuns(context.queue, missing.map((hostId) => ({ batchId: batch.id, hostId })));
    requeued.push(...missing);
  });
  if (requeued.length > 0) {
    context.logger.warn({ batch: batch.id, hosts: requeued.length }, `re-added the jobs of ${requeued.length} queued host${requeued.length === 1 ? '' : 's'} that had none (a dispatcher stopped between queueing them and handing them to BullMQ)`);
  }
  return requeued;
}

/**
 * When BullMQ gives up on a host's job (attempts used up, or stalled more often than allowed), the worker that saw
 * it closes the host's run as interrupted (worker-role.ts). A worker that dies at that moment, or loses Redis,
 * leaves the host queued or running with its job in BullMQ's failed set: no job would ever end it, and the batch
 * would wait for the cutoff. This closes those hosts the same way, with BullMQ's reason. Closing is a compare-and-set
 * on the host's state, so a worker closing the same host at the same moment does not close it twice. Returns the
 * hosts closed. Any batch with hosts in flight is looked at: a halted or cancelled batch waits for them too.
 */
export async function closeGivenUpHosts(context: OrchestrationContext, batch: Pick<BatchRecord, 'id'>): Promise<string[]> {
  const failedSet = context.queue.toKey('failed');
  const closed: string[] = [];
  await forEachInFlightPage(context, batch.id, async (hosts) => {
    const jobIds = hosts.map((host) => hostRunJobId(batch.id, host.hostId));
    const scores = (await context.redis.pipeline(jobIds.map((jobId) => ['zscore', failedSet, jobId])).exec()) ?? [];
    for (const [index, host] of hosts.entries()) {
      if (scores[index]?.[1] === null || scores[index]?.[1] === undefined) continue;
      const reason = (await context.redis.hget(context.queue.toKey(jobIds[index]!), 'failedReason')) ?? 'no reason recorded';
      await closeAbandonedRun(context, batch.id, host.hostId, `the queue gave up on it (${reason}) and the worker that saw it did not close the run`);
      closed.push(host.hostId);
    }
  });
  if (closed.length > 0) {
    context.logger.warn({ batch: batch.id, hosts: closed }, `closed ${closed.length} host run${closed.length === 1 ? '' : 's'} whose job BullMQ had given up on without the run being closed`);
  }
  return closed;
}

/** Visits the hosts in flight (queued or running) of a batch, a page at a time, with their states. */
async function forEachInFlightPage(context: OrchestrationContext, batchId: string, visit: (hosts: Array<{ hostId: string; state: string }>) => Promise<void>): Promise<void> {
  const keys = storeKeys(context.prefix);
  let cursor = '0';
  do {
    const [next, members] = await context.redis.sscan(keys.batchInFlight(batchId), cursor, 'COUNT', PAGE);
    cursor = next;
    // Members are run ids, `batchId/hostId`; batch ids have no "/".
    const hostIds = members.map((runId) => runId.slice(batchId.length + 1));
    if (hostIds.length === 0) continue;
    const states = await context.redis.hmget(keys.batchHosts(batchId), ...hostIds);
    const hosts = hostIds.flatMap((hostId, index) => (states[index] === 'queued' || states[index] === 'running' ? [{ hostId, state: states[index] }] : []));
    if (hosts.length > 0) await visit(hosts);
  } while (cursor !== '0');
}
