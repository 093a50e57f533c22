import { evaluateApprovals } from '../domain/approvals/index.js';
import { getBatch, listDecisions, setBatchStatus, storeKeys, type BatchRecord } from '../store/index.js';
import { refreshBatchContent } from './content-binding.js';
import type { OrchestrationContext } from './context.js';

/**
 * The last check before an approved batch starts: the content is recomputed from the latest scans (a change voids
 * the approvals and sends the batch back to awaiting-approval), and the recorded approvals must still add up for
 * the content the batch has now. Returns true when the batch may start.
 */
export async function approvalAllowsStart(context: OrchestrationContext, batch: BatchRecord): Promise<boolean> {
  const refresh = await refreshBatchContent(context, batch);
  if (batch.approval !== 'required') return true;
  const current = await getBatch(context.redis, context.prefix, batch.id);
  if (current?.status !== 'approved') return false;
  const decisions = await listDecisions(context.redis, context.prefix, batch.id);
  // No decisions: an out-of-window run or an emergency batch, approved by a second engineer (approveOutOfWindowRun);
  // a content change above has already sent it back to awaiting-approval.
  if (decisions.length === 0 || refresh === undefined) return true;
  const now = context.clock.now();
  const evaluation = evaluateApprovals({ policy: context.config.settings.policies.approvals, decisions, contentHash: refresh.hash, now, cutoffAt: new Date(batch.cutoffAt) });
  if (evaluation.state === 'approved') return true;
  const reason = `approvals no longer add up for the current content (${evaluation.state}, ${evaluation.approvers.length} of ${evaluation.needed})`;
  const moved = await setBatchStatus(context.redis, context.prefix, batch.id, ['approved'], 'awaiting-approval', now, { statusReason: reason });
  if (moved !== undefined) {
    await context.redis.hdel(storeKeys(context.prefix).batch(batch.id), 'approvedBy');
    await context.audit.record({ actor: context.actor, action: 'approval.voided', subject: `batch/${batch.id}`, customerId: batch.customerId, before: { status: 'approved' }, after: { status: 'awaiting-approval', approvers: evaluation.approvers }, reason, at: now });
  }
  return false;
}
