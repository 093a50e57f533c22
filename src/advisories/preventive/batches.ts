/**
 * Creates the preventive release batches of a plan: `security-patch` with exactly the group's packages on exactly
 * its hosts. Creation is the store's atomic create-if-absent, so a second ingester cannot create one twice; the
 * window's approval rule then applies (an emergency batch always needs approval, by a second engineer).
 */
import { applyApprovalRule, emit } from '../../releases/index.js';
import { createBatch, type BatchPlan } from '../../store/index.js';
import type { AdvisoryServices } from '../services.js';
import type { PreventiveGroup } from './plan.js';

export const PREVENTIVE_PLAYBOOK = 'security-patch';

export async function createPreventiveBatches(services: AdvisoryServices, groups: readonly PreventiveGroup[], origin: { customerId: string; advisoryId: string; trackingId: string; dueAt: string | null; problemId: string | null; actor: string }): Promise<string[]> {
  const { context } = services;
  const created: string[] = [];
  for (const group of groups) {
    const now = context.clock.now();
    const plan: BatchPlan = {
      id: group.batchId,
      occurrenceId: group.batchId,
      windowId: group.windowId,
      customerId: origin.customerId,
      playbooks: [PREVENTIVE_PLAYBOOK],
      params: group.params,
      checkMode: false,
      approval: group.approval,
      rollout: group.rollout,
      hostIds: group.hostIds,
      windowStart: group.windowStart,
      windowEnd: group.windowEnd,
      cutoffAt: group.cutoffAt,
      plannedAt: now.toISOString(),
      plannedBy: origin.actor,
      ...(group.emergency ? { emergency: { advisoryId: origin.advisoryId, dueAt: origin.dueAt ?? group.windowEnd, movedFrom: null } } : {}),
    };
    if (!(await createBatch(context.redis, context.prefix, plan, 'planned', now))) continue;
    created.push(plan.id);
    const reason = `${group.emergency ? 'emergency window' : 'next maintenance window'} for urgent advisory ${origin.trackingId}${origin.problemId === null ? '' : ` (${origin.problemId})`}`;
    await context.audit.record({ actor: origin.actor, action: 'batch.planned', subject: `batch/${plan.id}`, customerId: plan.customerId, before: null, after: { status: 'planned', hosts: plan.hostIds, packages: group.packages, windowStart: plan.windowStart, cutoffAt: plan.cutoffAt, emergency: group.emergency, problemId: origin.problemId }, reason, at: now });
    await emit(context, { type: 'batch.planned', batchId: plan.id, occurrenceId: plan.occurrenceId, windowId: plan.windowId, customerId: plan.customerId, hostId: null, playbookId: PREVENTIVE_PLAYBOOK, failureClass: null, runId: null, reason });
    await applyApprovalRule({ ...context, actor: origin.actor }, plan.id);
  }
  return created;
}

/** Emergency batches are named `emergency-<customer>@<start>+<advisory>-<hash>`. */
export function isEmergencyBatch(batchId: string): boolean {
  return batchId.startsWith('emergency-');
}
