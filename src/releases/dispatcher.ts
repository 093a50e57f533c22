import { randomUUID } from 'node:crypto';
import { findWindow, hostsOfWindow } from '../config/index.js';
import { finalBatchStatus } from '../domain/release-batch.js';
import { errorBudgetOf, exceedsErrorBudget, hostsToDispatch } from '../domain/rollout.js';
import { enqueueHostRuns } from '../queue/index.js';
import {
  batchCounts,
  batchHosts,
  closeBatch,
  closeHandOut,
  customerInFlight,
  getBatch,
  queueHostRuns,
  releaseLockKey,
  setBatchStatus,
  storeKeys,
  type BatchPlan,
  type BatchRecord,
  type RunRecord,
} from '../store/index.js';
import { approvalAllowsStart } from './approval-gate.js';
import { ABORT_RUNNING_FIELD } from './cancel-watch.js';
import { emit, type OrchestrationContext } from './context.js';
import { deferHost, newRunRecord, skipHost } from './host-outcomes.js';
import { recoverMissedBatch } from './missed-windows.js';
import { applyApprovalRule, batchEvent } from './planner.js';

/**
 * The dispatcher moves one batch along: it starts an approved batch when its window opens, hands hosts to the
 * queue as the rollout rules allow, defers what cannot start before the cutoff, expires a batch that was never
 * approved in time, and gives a batch whose hosts have all finished its final status. Any scheduler or worker
 * may call it at any time; a short per-batch lock keeps two passes from handing out the same slots.
 */
const DISPATCH_LOCK_MS = 15_000;
/** Hosts handed out per step (one script and one `addBulk`). */
const DISPATCH_CHUNK = 500;

export async function dispatchBatch(context: OrchestrationContext, batchId: string): Promise<void> {
  const lockKey = storeKeys(context.prefix).batchDispatchLock(batchId);
  const againKey = `${lockKey}:again`;
  const token = randomUUID();
  if ((await context.redis.set(lockKey, token, 'PX', DISPATCH_LOCK_MS, 'NX')) !== 'OK') {
    // A pass is under way elsewhere and may have read its counts before our run freed a slot: ask it to go
    // round once more instead of leaving the slot idle until the next loop.
    await context.redis.set(againKey, '1', 'PX', DISPATCH_LOCK_MS);
    return;
  }
  try {
    do {
      await dispatchLocked(context, batchId);
    } while ((await context.redis.getdel(againKey)) !== null);
  } finally {
    await releaseLockKey(context.redis, lockKey, token);
  }
}

async function dispatchLocked(context: OrchestrationContext, batchId: string): Promise<void> {
  let batch = await getBatch(context.redis, context.prefix, batchId);
  if (batch === undefined) return;
  const nowMs = context.clock.now().getTime();
  const cutoffMs = Date.parse(batch.cutoffAt);

  if (batch.status === 'expired') {
    // Only a missed window's batch is still open when expired (releases/missed-windows.ts): finish its deferrals.
    await recoverMissedBatch(context, batch);
    return;
  }
  if (batch.status === 'planned') {
    await applyApprovalRule(context, batchId);
    batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch === undefined) return;
  }
  if ((batch.status === 'awaiting-approval' || batch.status === 'approved') && nowMs >= cutoffMs) {
    await expireBatch(context, batch);
    return;
  }
  if (batch.status === 'approved' && nowMs >= Date.parse(batch.windowStart) && (await approvalAllowsStart(context, batch))) {
    const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['approved'], 'running', new Date(nowMs), { startedAt: new Date(nowMs).toISOString() });
    if (previous !== undefined) {
      await context.audit.record({ actor: context.actor, action: 'batch.running', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: 'approved' }, after: { status: 'running' } });
      await emit(context, batchEvent(batch, 'batch.started'));
    }
    batch = { ...batch, status: 'running' };
  }
  if (batch.status === 'halted' || batch.status === 'cancelled') {
    await closeStoppedBatch(context, batch);
    return;
  }
  if (batch.status !== 'running') return;

  if (nowMs >= cutoffMs) {
    for (const host of await batchHosts(context.redis, context.prefix, batch)) {
      if (host.state === 'pending' || host.state === 'queued') {
        await deferHost(context, batch, host.hostId, [host.state], `the cutoff ${batch.cutoffAt} passed before the run could start`);
      }
    }
  } else {
    await handOutHosts(context, batch);
  }
  await finishIfDone(context, batch);
}

/** Queues as many hosts as the rollout rules allow now; hosts the window no longer targets are skipped. */
async function handOutHosts(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  let stillTargeted: Set<string> | undefined;
  const targeted = (): Set<string> => {
    const window = findWindow(context.config, batch.windowId);
    stillTargeted ??= new Set(window === undefined ? [] : hostsOfWindow(context.config, window).map((h) => h.id));
    return stillTargeted;
  };
  let counts = await batchCounts(context.redis, context.prefix, batch);
  if (exceedsErrorBudget(counts.failed, errorBudgetOf(batch.rollout, counts.total))) {
    await haltBatch(context, batch, counts.failed);
    return;
  }
  for (;;) {
    const slots = hostsToDispatch(batch.rollout, {
      total: counts.total,
      dispatched: counts.dispatched,
      inFlight: counts.inFlight,
      failures: counts.failed,
      customerInFlight: batch.rollout.customerConcurrency === undefined ? 0 : await customerInFlight(context.redis, context.prefix, batch.customerId),
    });
    if (slots === 0) return;
    const now = context.clock.now();
    const chosen = batch.hostIds.slice(counts.dispatched, counts.dispatched + slots);
    let queued = 0;
    let skipped = 0;
    // A chunk at a time: its hosts move to queued with their run records and the dispatch position moves on in one
    // step (store queueHostRuns), then they go to the queue, so the first runs start while the rest are handed out.
    // A chunk's jobs are added while the next chunk is queued: the two steps wait on Redis, not on each other.
    let adding: Promise<void> = Promise.resolve();
    let thrown: unknown;
    try {
      for (let start = 0; start < chosen.length; start += DISPATCH_CHUNK) {
        const chunk = chosen.slice(start, start + DISPATCH_CHUNK);
        const records: RunRecord[] = [];
        for (const hostId of chunk) {
          // An ad-hoc run (`redback run`) has no window to re-check: its hosts were chosen by hand.
          if (batch.adHoc === undefined && !targeted().has(hostId)) {
            if (await skipHost(context, batch, hostId, ['pending'], 'the window no longer targets this host (re-checked at dispatch)')) skipped += 1;
            continue;
          }
          records.push(newRunRecord(batch, hostId, now));
        }
        const handedOut = await queueHostRuns(context.redis, context.prefix, batch, records, chunk.length);
        await adding;
        // The hand-out stays open until its jobs are in BullMQ: an open one is all the orphan check looks at.
        adding = enqueueHostRuns(context.queue, handedOut.hostIds.map((hostId) => ({ batchId: batch.id, hostId }))).then(() => closeHandOut(context.redis, context.prefix, batch.id, handedOut.handOut));
        // Awaited only after the next chunk's step: without a handler now, a failure meanwhile would count as an
        // unhandled rejection and end the process.
        adding.catch(() => undefined);
        queued += handedOut.hostIds.length;
      }
    } finally {
      // Whatever failed, the pass ends only when the jobs on their way are added (or have failed), so that the next
      // pass, which may start once this one lets go of the dispatch lock, finds them. An add that failed leaves its
      // hosts queued without jobs and its hand-out open; the scheduler's orphan check adds them
      // (releases/orphaned-hosts.ts).
      await adding.catch((error: unknown) => {
        if (thrown === undefined) thrown = error;
      });
    }
    if (thrown !== undefined) throw thrown;
    if (queued > 0) context.logger.debug({ batch: batch.id, queued, skipped }, 'hosts dispatched');
    // Skipped hosts freed their slots at once: go round again; otherwise the next pass comes when a run ends.
    if (skipped === 0) return;
    counts = await batchCounts(context.redis, context.prefix, batch);
  }
}

/**
 * Stops dispatching once failures exceed max_errors: the batch becomes `halted`, hosts not yet queued are
 * skipped, queued ones are skipped by the worker, and runs in flight finish.
 */
export async function haltBatch(context: OrchestrationContext, batch: BatchPlan, failures: number): Promise<void> {
  const reason = `failures (${failures}) exceeded max_errors (${String(batch.rollout.maxErrors)})`;
  const now = context.clock.now();
  const previous = await setBatchStatus(context.redis, context.prefix, batch.id, ['running'], 'halted', now, { statusReason: reason, finishedAt: now.toISOString() });
  if (previous === undefined) return;
  context.logger.warn({ batch: batch.id, failures }, `batch halted: ${reason}`);
  await context.audit.record({ actor: context.actor, action: 'batch.halted', subject: `batch/${batch.id}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'halted' }, reason, at: now });
  await emit(context, { ...batchEvent(batch, 'batch.halted'), reason });
  for (const host of await batchHosts(context.redis, context.prefix, batch)) {
    if (host.state === 'pending') await skipHost(context, batch, host.hostId, ['pending'], `not started: the batch halted (${reason})`);
  }
}

/** Cancels a batch that has not finished: nothing more starts; runs in flight finish. */
/**
 * Cancels a batch that has not finished: nothing more starts. Runs in progress finish, unless `abortRunning`: then
 * the workers running them stop them within about a second (releases/cancel-watch.ts).
 */
export async function cancelBatch(context: OrchestrationContext, batch: BatchRecord, reason: string, options: { abortRunning?: boolean } = {}): Promise<boolean> {
  const now = context.clock.now();
  const abortRunning = options.abortRunning === true;
  const fields: Record<string, string> = { statusReason: reason, finishedAt: now.toISOString(), ...(abortRunning ? { [ABORT_RUNNING_FIELD]: '1' } : {}) };
  const previous = await setBatchStatus(context.redis, context.prefix, batch.id, ['planned', 'awaiting-approval', 'approved', 'running'], 'cancelled', now, fields);
  if (previous === undefined) return false;
  await context.audit.record({ actor: context.actor, action: 'batch.cancelled', subject: `batch/${batch.id}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'cancelled', abortRunning }, reason, at: now });
  await emit(context, { ...batchEvent(batch, 'batch.cancelled'), reason });
  for (const host of await batchHosts(context.redis, context.prefix, batch)) {
    if (host.state === 'pending') await skipHost(context, batch, host.hostId, ['pending'], `not started: the batch was cancelled (${reason})`);
  }
  return true;
}

async function expireBatch(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  const now = context.clock.now();
  const reason = batch.status === 'awaiting-approval' ? 'not approved before the cutoff' : 'the window passed before the batch started';
  const previous = await setBatchStatus(context.redis, context.prefix, batch.id, ['awaiting-approval', 'approved'], 'expired', now, { statusReason: reason, finishedAt: now.toISOString() });
  if (previous === undefined) return;
  await context.audit.record({ actor: context.actor, action: 'batch.expired', subject: `batch/${batch.id}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'expired' }, reason, at: now });
  await emit(context, { ...batchEvent(batch, 'batch.expired'), reason });
  for (const host of await batchHosts(context.redis, context.prefix, batch)) {
    if (host.state === 'pending') await deferHost(context, batch, host.hostId, ['pending'], `batch ${reason}`);
  }
}

/**
 * A halted or cancelled batch: the hosts still pending are skipped (again, in case the process that stopped the
 * batch died before it got to them), and once every host is final the batch leaves the open list.
 */
async function closeStoppedBatch(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  const why = batch.status === 'halted' ? `the batch halted (${batch.statusReason ?? ''})` : `the batch was cancelled (${batch.statusReason ?? ''})`;
  for (const host of await batchHosts(context.redis, context.prefix, batch)) {
    if (host.state === 'pending') await skipHost(context, batch, host.hostId, ['pending'], `not started: ${why}`);
  }
  const counts = await batchCounts(context.redis, context.prefix, batch);
  if (counts.succeeded + counts.failed + counts.notRun >= counts.total) await closeBatch(context.redis, context.prefix, batch.id);
}

/** When every host has a final state, the batch gets its final status (unless it halted or was cancelled). */
export async function finishIfDone(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  const counts = await batchCounts(context.redis, context.prefix, batch);
  if (counts.succeeded + counts.failed + counts.notRun < counts.total) return;
  const status = finalBatchStatus({ succeeded: counts.succeeded, failed: counts.failed, notRun: counts.notRun });
  const now = context.clock.now();
  const previous = await setBatchStatus(context.redis, context.prefix, batch.id, ['running'], status, now, { finishedAt: now.toISOString() });
  if (previous === undefined) return;
  const summary = `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.notRun} deferred or skipped`;
  context.logger.info({ batch: batch.id, status }, `batch finished: ${summary}`);
  await context.audit.record({ actor: context.actor, action: `batch.${status}`, subject: `batch/${batch.id}`, customerId: batch.customerId, before: { status: 'running' }, after: { status, ...counts }, at: now });
  await emit(context, { ...batchEvent(batch, 'batch.finished'), status, reason: summary });
}
