import type { MaintenanceWindow } from '../config/index.js';
import type { BatchStatus } from '../domain/release-batch.js';
import { expandConfigWindow, type Occurrence } from '../scheduling/index.js';
import { createBatch, getBatch, setBatchStatus, type BatchPlan } from '../store/index.js';
import { emit, type OrchestrationContext } from './context.js';

/**
 * The planner: each tick creates the batch of every occurrence that starts within the lead time (the window's
 * `lead_time`, else `policies.planner_lead_time`) or is open now and before its cutoff. Idempotent: the batch id
 * is the occurrence id and creation is atomic, so two schedulers ticking together create each batch once.
 */
export async function plannerTick(context: OrchestrationContext): Promise<string[]> {
  const nowMs = context.clock.now().getTime();
  const created: string[] = [];
  for (const window of context.config.windows) {
    const leadMs = window.leadTimeMs ?? context.config.settings.policies.plannerLeadTimeMs;
    const { occurrences } = expandConfigWindow(context.config, window, { from: nowMs - window.durationMs, to: nowMs + leadMs + 1 });
    for (const occurrence of occurrences) {
      if (occurrence.cutoffMs <= nowMs) continue;
      if (await planOccurrence(context, window, occurrence)) created.push(occurrence.id);
    }
  }
  return created;
}

/** Creates the occurrence's batch if it does not exist, then applies the window's approval rule. True if created here. */
export async function planOccurrence(context: OrchestrationContext, window: MaintenanceWindow, occurrence: Occurrence): Promise<boolean> {
  const now = context.clock.now();
  const plan: BatchPlan = {
    id: occurrence.id,
    occurrenceId: occurrence.id,
    windowId: window.id,
    customerId: window.customerId,
    playbooks: [...window.playbooks],
    params: { ...window.params },
    checkMode: window.checkMode,
    approval: window.approval,
    rollout: {
      maxConcurrency: window.rollout?.maxConcurrency,
      maxErrors: window.rollout?.maxErrors,
      serial: window.rollout?.serial,
      customerConcurrency: window.rollout?.customerConcurrency,
    },
    hostIds: [...occurrence.hostIds],
    windowStart: new Date(occurrence.startMs).toISOString(),
    windowEnd: new Date(occurrence.endMs).toISOString(),
    cutoffAt: new Date(occurrence.cutoffMs).toISOString(),
    plannedAt: now.toISOString(),
    plannedBy: context.actor,
  };
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

export function batchEvent(batch: Pick<BatchPlan, 'id' | 'occurrenceId' | 'windowId' | 'customerId' | 'playbooks'>, type: 'batch.planned' | 'batch.approved' | 'batch.awaiting-approval' | 'batch.started' | 'batch.halted' | 'batch.finished' | 'batch.expired' | 'batch.cancelled') {
  return {
    type,
    batchId: batch.id,
    occurrenceId: batch.occurrenceId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    hostId: null,
    playbookId: batch.playbooks.join(','),
    failureClass: null,
    runId: null,
  };
}
