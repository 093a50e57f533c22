import { enqueueHostRuns, hostRunJobId } from '../queue/index.js';
import { storeKeys, type BatchRecord } from '../store/index.js';
import type { OrchestrationContext } from './context.js';

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
  const keys = storeKeys(context.prefix);
  const requeued: string[] = [];
  let cursor = '0';
  do {
    const [next, members] = await context.redis.sscan(keys.batchInFlight(batch.id), cursor, 'COUNT', PAGE);
    cursor = next;
    // Members are run ids, `batchId/hostId`; batch ids have no "/".
    const hostIds = members.map((runId) => runId.slice(batch.id.length + 1));
    if (hostIds.length === 0) continue;
    const states = await context.redis.hmget(keys.batchHosts(batch.id), ...hostIds);
    const queued = hostIds.filter((_, index) => states[index] === 'queued');
    if (queued.length === 0) continue;
    const exists = (await context.redis.pipeline(queued.map((hostId) => ['exists', context.queue.toKey(hostRunJobId(batch.id, hostId))])).exec()) ?? [];
    const missing = queued.filter((_, index) => exists[index]?.[1] === 0);
    if (missing.length === 0) continue;
    await enqueueHostRuns(context.queue, missing.map((hostId) => ({ batchId: batch.id, hostId })));
    requeued.push(...missing);
  } while (cursor !== '0');
  if (requeued.length > 0) {
    context.logger.warn({ batch: batch.id, hosts: requeued.length }, `re-added the jobs of ${requeued.length} queued host${requeued.length === 1 ? '' : 's'} that had none (a dispatcher stopped between queueing them and handing them to BullMQ)`);
  }
  return requeued;
}
