import { AppError } from '../errors.js';
import { requireBatch, setBatchStatus } from '../store/index.js';
import { emit, type OrchestrationContext } from './context.js';
import { batchEvent } from './planner.js';

/**
 * Approves a batch that waits for approval. One approver is enough here; the four-eyes workflow (two distinct
 * people, expiry as denial) is its own issue and will replace this.
 */
export async function approveBatch(context: OrchestrationContext, batchId: string, approver: string): Promise<void> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  const now = context.clock.now();
  if (now.getTime() >= Date.parse(batch.cutoffAt)) {
    throw new AppError('conflict', `batch ${batchId}: its cutoff ${batch.cutoffAt} has passed, so it can no longer be approved; it expires and its hosts move to their next window`);
  }
  const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['awaiting-approval'], 'approved', now, { approvedBy: approver });
  if (previous === undefined) {
    throw new AppError('conflict', `batch ${batchId} is ${batch.status}, not awaiting-approval; only a batch awaiting approval can be approved`);
  }
  await context.audit.record({ actor: approver, action: 'batch.approved', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'approved', approvedBy: approver }, at: now });
  await emit(context, batchEvent(batch, 'batch.approved'));
}
