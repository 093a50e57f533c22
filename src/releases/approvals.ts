import {
  alreadyApproved,
  approverRefusal,
  canWrite,
  coversCustomer,
  dueReminder,
  evaluateApprovals,
  reminderSchedule,
  secondEngineerRefusal,
  type ApprovalDecision,
  type ApprovalEvaluation,
  type Principal,
} from '../domain/approvals/index.js';
import { AppError } from '../errors.js';
import {
  appendDecision,
  getApprovalRequest,
  getBatchContent,
  listDecisions,
  requireBatch,
  saveApprovalRequest,
  setBatchStatus,
  type ApprovalRequest,
  type BatchRecord,
  type StoredBatchContent,
} from '../store/index.js';
import { refreshBatchContent } from './content-binding.js';
import { emit, type OrchestrationContext } from './context.js';
import { cancelBatch, dispatchBatch } from './dispatcher.js';
import { batchEvent } from './planner.js';

/**
 * The approval workflow of a release batch: request, approve, reject (with a comment), expiry at the cutoff.
 * Approvals are bound to the content hash; `refreshBatchContent` voids them when the content changes. Every
 * decision and every status change goes to the audit trail, and refusals too, so an auditor sees the attempts.
 */
export interface ApprovalView {
  batch: BatchRecord;
  content: StoredBatchContent | undefined;
  request: ApprovalRequest | undefined;
  decisions: ApprovalDecision[];
  evaluation: ApprovalEvaluation | undefined;
}

export async function approvalView(context: OrchestrationContext, batchId: string): Promise<ApprovalView> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  const [content, request, decisions] = await Promise.all([
    getBatchContent(context.redis, context.prefix, batchId),
    getApprovalRequest(context.redis, context.prefix, batchId),
    listDecisions(context.redis, context.prefix, batchId),
  ]);
  const evaluation = content === undefined ? undefined : evaluateApprovals({ policy: context.config.settings.policies.approvals, decisions, contentHash: content.hash, now: context.clock.now(), cutoffAt: new Date(batch.cutoffAt) });
  return { batch, content, request, decisions, evaluation };
}

/** An engineer asks for approval: the content is (re)computed and the request recorded; the requester may not approve. */
export async function requestApproval(context: OrchestrationContext, batchId: string, requester: Principal, comment = ''): Promise<StoredBatchContent> {
  let batch = await requireBatch(context.redis, context.prefix, batchId);
  if (!canWrite(requester) || !coversCustomer(requester.customers, batch.customerId)) {
    throw new AppError('forbidden', `${requester.name} may not request approval of batch ${batchId}: it needs the engineer or admin role and customer ${batch.customerId} in scope`);
  }
  const now = context.clock.now();
  if (batch.status === 'planned' && batch.approval === 'required') {
    const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['planned'], 'awaiting-approval', now);
    if (previous !== undefined) {
      await context.audit.record({ actor: requester.name, action: 'batch.awaiting-approval', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: 'planned' }, after: { status: 'awaiting-approval' }, at: now });
      await emit(context, batchEvent(batch, 'batch.awaiting-approval'));
    }
    batch = await requireBatch(context.redis, context.prefix, batchId);
  }
  if (batch.status !== 'awaiting-approval') {
    throw new AppError('conflict', `batch ${batchId} is ${batch.status}; approval can be requested only while it is awaiting approval (approval: ${batch.approval})`);
  }
  const refresh = await refreshBatchContent({ ...context, actor: requester.name }, batch);
  if (refresh === undefined) throw new AppError('internal', `batch ${batchId}: its content could not be computed in status ${batch.status}`);
  const request: ApprovalRequest = { requestedBy: requester.name, requestedAt: now.toISOString(), comment, lastReminderAt: null };
  await saveApprovalRequest(context.redis, context.prefix, batchId, request);
  await context.audit.record({ actor: requester.name, action: 'approval.requested', subject: `batch/${batchId}`, customerId: batch.customerId, before: null, after: { contentHash: refresh.hash, requestedBy: requester.name }, reason: comment || undefined, at: now });
  return refresh.stored;
}

export interface DecisionOptions {
  comment: string;
  /** The content hash the approver reviewed; refused when the batch's content has changed since. */
  reviewedHash?: string;
}

export interface ApprovalOutcome {
  /** False when this person had already approved this content: an approval given twice counts once. */
  counted: boolean;
  evaluation: ApprovalEvaluation;
  status: BatchRecord['status'];
}

/** Approves the batch's current content; the batch becomes `approved` when enough distinct people have. */
export async function approveBatchContent(context: OrchestrationContext, batchId: string, approver: Principal, options: DecisionOptions): Promise<ApprovalOutcome> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  const now = context.clock.now();
  const content = await decisionPreconditions(context, batch, approver, 'approve', options);
  // The content refresh may have sent an approved batch back to awaiting-approval: decide on what is stored now.
  const fresh = await requireBatch(context.redis, context.prefix, batchId);
  const policy = context.config.settings.policies.approvals;
  const decisions = await listDecisions(context.redis, context.prefix, batchId);
  if (alreadyApproved(decisions, approver.name, content.hash)) {
    const evaluation = evaluateApprovals({ policy, decisions, contentHash: content.hash, now, cutoffAt: new Date(batch.cutoffAt) });
    return { counted: false, evaluation, status: fresh.status };
  }
  if (fresh.status !== 'awaiting-approval') {
    throw new AppError('conflict', `batch ${batchId} is ${fresh.status}; only a batch awaiting approval can be approved`);
  }
  const decision: ApprovalDecision = { approver: approver.name, at: now.toISOString(), verdict: 'approved', comment: options.comment, contentHash: content.hash };
  const before = evaluateApprovals({ policy, decisions, contentHash: content.hash, now, cutoffAt: new Date(batch.cutoffAt) });
  await appendDecision(context.redis, context.prefix, batchId, decision);
  const evaluation = evaluateApprovals({ policy, decisions: [...decisions, decision], contentHash: content.hash, now, cutoffAt: new Date(batch.cutoffAt) });
  const subject = `batch/${batchId}`;
  await context.audit.record({ actor: approver.name, action: 'approval.given', subject, customerId: batch.customerId, before: { approvers: before.approvers, needed: before.needed }, after: { approvers: evaluation.approvers, needed: evaluation.needed, contentHash: content.hash }, reason: options.comment || undefined, at: now });
  if (evaluation.state !== 'approved') return { counted: true, evaluation, status: fresh.status };
  const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['awaiting-approval'], 'approved', now, { approvedBy: evaluation.approvers.join(','), statusReason: `approved for content ${content.hash.slice(0, 12)}` });
  if (previous === undefined) return { counted: true, evaluation, status: (await requireBatch(context.redis, context.prefix, batchId)).status };
  await context.audit.record({ actor: approver.name, action: 'batch.approved', subject, customerId: batch.customerId, before: { status: previous }, after: { status: 'approved', approvedBy: evaluation.approvers, contentHash: content.hash }, at: now });
  await emit(context, batchEvent(batch, 'batch.approved'));
  return { counted: true, evaluation, status: 'approved' };
}

/** Rejects the batch with a comment: it is cancelled and never runs. */
export async function rejectBatch(context: OrchestrationContext, batchId: string, approver: Principal, options: DecisionOptions): Promise<void> {
  if (options.comment.trim() === '') throw new AppError('input-invalid', `rejecting batch ${batchId} needs a comment saying why (--comment "...")`);
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  if (!['planned', 'awaiting-approval', 'approved'].includes(batch.status)) {
    throw new AppError('conflict', `batch ${batchId} is ${batch.status}; only a batch that has not started can be rejected (cancel a running one with \`redback batches cancel\`)`);
  }
  const content = await decisionPreconditions(context, batch, approver, 'reject', options);
  const now = context.clock.now();
  const decision: ApprovalDecision = { approver: approver.name, at: now.toISOString(), verdict: 'rejected', comment: options.comment, contentHash: content.hash };
  await appendDecision(context.redis, context.prefix, batchId, decision);
  await context.audit.record({ actor: approver.name, action: 'approval.rejected', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: batch.status }, after: { verdict: 'rejected', contentHash: content.hash }, reason: options.comment, at: now });
  await cancelBatch({ ...context, actor: approver.name }, batch, `rejected by ${approver.name}: ${options.comment}`);
}

/**
 * Expires a batch whose cutoff has passed while it waited for approval or for its window (the dispatcher does the
 * status change); an approval never outlives the cutoff, and waiting never turns into approval.
 */
export async function expireIfDue(context: OrchestrationContext, batchId: string): Promise<boolean> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  if (context.clock.now().getTime() < Date.parse(batch.cutoffAt)) return false;
  if (batch.status !== 'awaiting-approval' && batch.status !== 'approved') return false;
  await dispatchBatch(context, batchId);
  return (await requireBatch(context.redis, context.prefix, batchId)).status === 'expired';
}

/**
 * Emergency windows and `redback run --force` need a second engineer: records their approval with the reason in
 * the audit trail and returns the entry's subject. Refuses the requester themself.
 */
export async function approveOutOfWindowRun(
  context: OrchestrationContext,
  input: { subject: string; customerId: string; requester: string; approver: Principal; reason: string; what: string },
): Promise<void> {
  if (input.reason.trim() === '') throw new AppError('input-invalid', `${input.what} needs a reason for the audit trail`);
  const refusal = secondEngineerRefusal(input.approver, input.requester, input.customerId, input.what);
  const now = context.clock.now();
  if (refusal !== undefined) {
    await context.audit.record({ actor: input.approver.name, action: 'approval.refused', subject: input.subject, customerId: input.customerId, before: null, after: { refusal: refusal.code, requester: input.requester }, reason: refusal.message, at: now });
    throw new AppError('forbidden', refusal.message);
  }
  await context.audit.record({ actor: input.approver.name, action: 'approval.second-engineer', subject: input.subject, customerId: input.customerId, before: null, after: { requester: input.requester, approver: input.approver.name, what: input.what }, reason: input.reason, at: now });
}

/** Checks shared by approve and reject: standing (role, scope, four-eyes), the cutoff, and the reviewed content. */
async function decisionPreconditions(context: OrchestrationContext, batch: BatchRecord, approver: Principal, verb: 'approve' | 'reject', options: DecisionOptions): Promise<StoredBatchContent> {
  const now = context.clock.now();
  const request = await getApprovalRequest(context.redis, context.prefix, batch.id);
  const refusal = approverRefusal(approver, { batchId: batch.id, customerId: batch.customerId, createdBy: batch.plannedBy, requestedBy: request?.requestedBy ?? null }, context.config.settings.policies.approvals);
  if (refusal !== undefined) {
    await context.audit.record({ actor: approver.name, action: 'approval.refused', subject: `batch/${batch.id}`, customerId: batch.customerId, before: null, after: { attempted: verb, refusal: refusal.code }, reason: refusal.message, at: now });
    throw new AppError('forbidden', refusal.message);
  }
  if (now.getTime() >= Date.parse(batch.cutoffAt)) {
    await expireIfDue(context, batch.id);
    throw new AppError('conflict', `batch ${batch.id}: its cutoff ${batch.cutoffAt} has passed, so it can no longer be decided on; it has expired and its hosts move to their next window`);
  }
  const refresh = await refreshBatchContent({ ...context, actor: approver.name }, batch);
  const content = refresh?.stored ?? (await getBatchContent(context.redis, context.prefix, batch.id));
  if (content === undefined) throw new AppError('conflict', `batch ${batch.id} is ${batch.status} and has no computed content to ${verb}`);
  if (options.reviewedHash !== undefined && !content.hash.startsWith(options.reviewedHash)) {
    throw new AppError('conflict', `batch ${batch.id}: you reviewed content ${options.reviewedHash} but its content is now ${content.hash.slice(0, 12)} (${refresh?.changed === true ? 'it changed just now' : 'it changed since'}); review it again with \`redback batches show ${batch.id}\``);
  }
  return content;
}

export interface DueReminder {
  batchId: string;
  customerId: string;
  windowStart: string;
  requestedBy: string | null;
  approvers: string[];
  needed: number;
}

/**
 * Reminds approvers of batches still awaiting approval, at 24 h, 4 h and 1 h before the window starts (counted
 * from the request). Each reminder is sent once, as a `batch.awaiting-approval` event whose reason says it is a
 * reminder, so the notifiers that announce approval requests also carry the reminders.
 */
export async function sendApprovalReminders(context: OrchestrationContext, batchIds: readonly string[]): Promise<DueReminder[]> {
  const now = context.clock.now();
  const sent: DueReminder[] = [];
  for (const batchId of batchIds) {
    const view = await approvalView(context, batchId);
    if (view.batch.status !== 'awaiting-approval') continue;
    const requestedAt = new Date(view.request?.requestedAt ?? view.batch.plannedAt);
    const due = dueReminder(now, reminderSchedule(requestedAt, new Date(view.batch.windowStart)), view.request?.lastReminderAt === null || view.request === undefined ? null : new Date(view.request.lastReminderAt));
    if (due === undefined) continue;
    const request: ApprovalRequest = view.request === undefined ? { requestedBy: view.batch.plannedBy, requestedAt: requestedAt.toISOString(), comment: '', lastReminderAt: now.toISOString() } : { ...view.request, lastReminderAt: now.toISOString() };
    await saveApprovalRequest(context.redis, context.prefix, batchId, request);
    const approvers = view.evaluation?.approvers ?? [];
    const needed = context.config.settings.policies.approvals.requiredApprovers;
    await emit(context, { ...batchEvent(view.batch, 'batch.awaiting-approval'), reason: `reminder: ${approvers.length} of ${needed} approvals; the window starts ${view.batch.windowStart}, approvals expire at the cutoff ${view.batch.cutoffAt}` });
    sent.push({ batchId, customerId: view.batch.customerId, windowStart: view.batch.windowStart, requestedBy: view.request?.requestedBy ?? null, approvers, needed });
  }
  return sent;
}
