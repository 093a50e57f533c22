import type { MaintenanceWindow } from '../config/index.js';
import type { BatchStatus } from '../domain/release-batch.js';
import { expandConfigWindow, type Occurrence } from '../scheduling/index.js';
import { advancePlannerCheckedUntil, createBatch, getBatch, plannerCheckedUntil, setBatchStatus } from '../store/index.js';
import { batchEvent } from './batch-events.js';
import { emit, type OrchestrationContext } from './context.js';
import { recordMissedOccurrences } from './missed-windows.js';
import { occurrencePlan } from './occurrence-plan.js';

// Other modules import the batch event from here, where it used to live.
export { batchEvent } from './batch-events.js';

/**
 * The planner: each tick creates the batch of every occurrence that starts within the lead time (the window's
 * `lead_time`, else `policies.planner_lead_time`) or is open now and before its cutoff. Idempotent: the batch id
 * is the occurrence id and creation is atomic, so two schedulers ticking together create each batch once.
 *
 * It also looks back from where the last tick of any scheduler ended (`<prefix>:planner:checked-until`) for
 * occurrences whose cutoff passed in between, at most `policies.missed_window_lookback` back, and records each
 * that has no batch as an expired batch with its hosts deferred (releases/missed-windows.ts). The instant moves on
 * only after the tick has done both, so a tick that fails or dies is looked at again by the next one; the batch id
 * again makes a second look, or a second scheduler, harmless. Returns the ids of the batches planned (not the
 * missed ones: those have nothing left to dispatch).
 */
export async function plannerTick(context: OrchestrationContext): Promise<string[]> {
  const nowMs = context.clock.now().getTime();
  // Read before planning, so the look-back covers exactly what no earlier tick finished looking at.
  const checkedUntil = await plannerCheckedUntil(context.redis, context.prefix);
  const created: string[] = [];
  for (const window of context.config.windows) {
    const leadMs = window.leadTimeMs ?? context.config.settings.policies.plannerLeadTimeMs;
    const { occurrences } = expandConfigWindow(context.config, window, { from: nowMs - window.durationMs, to: nowMs + leadMs + 1 });
    for (const occurrence of occurrences) {
      if (occurrence.cutoffMs <= nowMs) continue; // passed: the look-back below decides whether it was missed
      if (await planOccurrence(context, window, occurrence)) created.push(occurrence.id);
    }
  }
  // The very first tick on this Redis has no earlier tick to look back to: it does not invent a history.
  if (checkedUntil !== undefined) await recordMissedOccurrences(context, checkedUntil.getTime(), nowMs);
  await advancePlannerCheckedUntil(context.redis, context.prefix, new Date(nowMs));
  return created;
}

/** Creates the occurrence's batch if it does not exist, then applies the window's approval rule. True if created here. */
export async function planOccurrence(context: OrchestrationContext, window: MaintenanceWindow, occurrence: Occurrence): Promise<boolean> {
  const now = context.clock.now();
  const plan = occurrencePlan(context, window, occurrence, now);
  const created = await createBatch(context.redis, context.prefix, plan, 'planned', now);
  if (created) {
    context.logger.info({ batch: plan.id, hosts: plan.hostIds.length, windowStart: plan.windowStart }, 'batch planned');
    await context.audit.record({ actor: context.actor, action: 'batch.planned', subject: `batch/${plan.id}`, customerId: plan.customerId, before: null, after: { status: 'planned', hosts: plan.hostIds, windowStart: plan.windowStart, cutoffAt: plan.cutoffAt }, at: now });
    await emit(context, batchEvent(plan, 'batch.planned'));
  }
  await applyApprovalRule(context, plan.id);
  return created;
}

/** `approval: auto` moves a planned batch to approved, `required` to awaiting-approval. Safe to repeat. */
export async function applyApprovalRule(context: OrchestrationContext, batchId: string): Promise<void> {
  const batch = await getBatch(context.redis, context.prefix, batchId);
  if (batch === undefined || batch.status !== 'planned') return;
  const now = context.clock.now();
  const to: BatchStatus = batch.approval === 'auto' ? 'approved' : 'awaiting-approval';
  const fields: Record<string, string> = batch.approval === 'auto' ? { approvedBy: 'system:auto-approval' } : {};
  const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['planned'], to, now, fields);
  if (previous === undefined) return;
  await context.audit.record({ actor: batch.approval === 'auto' ? 'system:auto-approval' : context.actor, action: `batch.${to}`, subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: 'planned' }, after: { status: to }, at: now });
  await emit(context, batchEvent(batch, to === 'approved' ? 'batch.approved' : 'batch.awaiting-approval'));
}
