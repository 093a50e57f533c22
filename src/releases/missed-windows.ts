import { expandConfigWindow } from '../scheduling/index.js';
import { batchHosts, closeBatch, createBatch, type BatchRecord } from '../store/index.js';
import { batchEvent } from './batch-events.js';
import { emit, type OrchestrationContext } from './context.js';
import { deferHost } from './host-outcomes.js';
import { occurrencePlan } from './occurrence-plan.js';

/**
 * Windows that passed while no scheduler ran (the service was down over the night). The planner only plans
 * occurrences whose cutoff is still ahead, so without this such an occurrence would leave no trace. Each one found
 * becomes a batch created `expired` with the reason, its hosts deferred to their next window (run record, event
 * and audit entry each, as when the dispatcher defers), and a `batch.expired` event and audit entry. An occurrence
 * that already has a batch (a scheduler was running and planned it) is left to the dispatcher.
 */

/** How long after creation a missed batch's left-over pending hosts are someone else's to defer (its creator died). */
export const MISSED_BATCH_RECOVERY_MS = 60_000;

/**
 * Records every occurrence whose cutoff is in (checkedUntilMs, nowMs], but none whose cutoff is more than
 * `policies.missed_window_lookback` before now. Returns the ids of the batches recorded here.
 */
export async function recordMissedOccurrences(context: OrchestrationContext, checkedUntilMs: number, nowMs: number): Promise<string[]> {
  const lookbackMs = context.config.settings.policies.missedWindowLookbackMs;
  const fromMs = Math.max(checkedUntilMs, nowMs - lookbackMs);
  if (fromMs >= nowMs) return [];
  if (checkedUntilMs < fromMs) {
    context.logger.warn(
      { checkedUntil: new Date(checkedUntilMs).toISOString(), lookbackFrom: new Date(fromMs).toISOString() },
      'no planner ran for longer than policies.missed_window_lookback: windows whose cutoff passed before the look-back are not recorded; raise the setting (at most 90d) to record them',
    );
  }
  const recorded: string[] = [];
  for (const window of context.config.windows) {
    // An occurrence starts at most its duration before its cutoff (cutoff = end - cutoff, end = start + duration).
    const { occurrences } = expandConfigWindow(context.config, window, { from: fromMs - window.durationMs, to: nowMs + 1 });
    for (const occurrence of occurrences) {
      if (occurrence.cutoffMs <= fromMs || occurrence.cutoffMs > nowMs) continue;
      const now = context.clock.now();
      const plan = occurrencePlan(context, window, occurrence, now);
      const reason = `no scheduler was running during the window (start ${plan.windowStart}, cutoff ${plan.cutoffAt})`;
      // Created already expired, in one step: a batch that exists (planned by a running scheduler, or recorded by
      // another scheduler's look-back) is not touched, and only the process that created it goes on below.
      if (!(await createBatch(context.redis, context.prefix, plan, 'expired', now, { statusReason: reason, finishedAt: now.toISOString() }))) continue;
      context.logger.warn({ batch: plan.id, hosts: plan.hostIds.length, windowStart: plan.windowStart, cutoffAt: plan.cutoffAt }, `batch expired: ${reason}`);
      await context.audit.record({ actor: context.actor, action: 'batch.expired', subject: `batch/${plan.id}`, customerId: plan.customerId, before: null, after: { status: 'expired', hosts: plan.hostIds, windowStart: plan.windowStart, cutoffAt: plan.cutoffAt }, reason, at: now });
      await emit(context, { ...batchEvent(plan, 'batch.expired'), reason });
      const batch: BatchRecord = { ...plan, status: 'expired', statusReason: reason, updatedAt: now.toISOString(), approvedBy: null, startedAt: null, finishedAt: now.toISOString(), dispatched: 0 };
      await deferPendingHosts(context, batch);
      recorded.push(plan.id);
    }
  }
  return recorded;
}

/**
 * Defers the hosts of an expired batch that are still `pending` and takes the batch off the open list once every
 * host is final. The batch stays open until then, so if its creator dies half-way the dispatcher finishes the job
 * (see `recoverMissedBatch`). Each host moves by compare-and-set: a host is deferred once, whoever gets there.
 */
async function deferPendingHosts(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  for (const host of await batchHosts(context.redis, context.prefix, batch)) {
    if (host.state === 'pending') await deferHost(context, batch, host.hostId, ['pending'], `the batch expired: ${batch.statusReason ?? 'its window passed'}`);
  }
  const hosts = await batchHosts(context.redis, context.prefix, batch);
  if (hosts.every((h) => h.state !== 'pending')) await closeBatch(context.redis, context.prefix, batch.id);
}

/**
 * For the dispatcher: an expired batch still on the open list is a missed window whose creator stopped before it
 * deferred every host. Left alone for `MISSED_BATCH_RECOVERY_MS` after creation, so the creator's own deferrals
 * (and its `batch.expired` entry) come first while it is alive.
 */
export async function recoverMissedBatch(context: OrchestrationContext, batch: BatchRecord): Promise<void> {
  if (batch.status !== 'expired') return;
  if (context.clock.now().getTime() - Date.parse(batch.updatedAt) < MISSED_BATCH_RECOVERY_MS) return;
  await deferPendingHosts(context, batch);
}
