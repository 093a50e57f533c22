/**
 * An emergency window (a preventive batch outside the customer's maintenance windows) runs only after two people:
 * an engineer requests it (`redback batches request-approval`, which computes the content they saw), and a second
 * engineer approves it with a reason, through the approval service's `approveOutOfWindowRun` (role, customer scope,
 * not the requester; refusals audited). The batch then becomes `approved` and starts at once (its window is now).
 * Engineers who do not accept it reject it (`redback batches reject`), or let the next window take the packages.
 */
import type { Principal } from '../../domain/approvals/index.js';
import { AppError } from '../../errors.js';
import { approveOutOfWindowRun, emit, type OrchestrationContext } from '../../releases/index.js';
import { getApprovalRequest, requireBatch, setBatchStatus } from '../../store/index.js';
import { isEmergencyBatch } from './batches.js';

export async function approveEmergencyBatch(context: OrchestrationContext, batchId: string, approver: Principal, reason: string): Promise<void> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  if (!isEmergencyBatch(batchId)) throw new AppError('input-invalid', `batch ${batchId} is not an emergency batch; approve it with \`redback batches approve\``);
  if (batch.status !== 'awaiting-approval') throw new AppError('conflict', `batch ${batchId} is ${batch.status}; only an emergency batch awaiting approval can be approved`);
  const request = await getApprovalRequest(context.redis, context.prefix, batchId);
  if (request === undefined) {
    throw new AppError('conflict', `emergency batch ${batchId}: an engineer must first accept it with \`redback batches request-approval ${batchId}\`; a second engineer then approves`);
  }
  const now = context.clock.now();
  if (now.getTime() >= Date.parse(batch.cutoffAt)) throw new AppError('conflict', `emergency batch ${batchId}: its cutoff ${batch.cutoffAt} has passed`);
  await approveOutOfWindowRun({ ...context, actor: approver.name }, { subject: `batch/${batchId}`, customerId: batch.customerId, requester: request.requestedBy, approver, reason, what: `emergency batch ${batchId}` });
  const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['awaiting-approval'], 'approved', now, { approvedBy: approver.name, statusReason: `emergency window approved by ${approver.name} (requested by ${request.requestedBy}): ${reason}` });
  if (previous === undefined) throw new AppError('conflict', `batch ${batchId} changed status while it was being approved; look at it again`);
  await context.audit.record({ actor: approver.name, action: 'batch.approved', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'approved', approvedBy: [approver.name], requestedBy: request.requestedBy, emergency: true }, reason, at: now });
  await emit(context, { type: 'batch.approved', batchId, occurrenceId: batch.occurrenceId, windowId: batch.windowId, customerId: batch.customerId, hostId: null, playbookId: batch.playbooks.join(','), failureClass: null, runId: null });
}
