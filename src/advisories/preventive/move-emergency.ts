/**
 * Moving an emergency window (`redback advisories move-emergency BATCH --to ISO`): engineers who do not accept the
 * time the planner chose (now .. the contract's due time) move the batch to another start. Batch plans never
 * change once created (other processes cache them), and an emergency batch's id carries its start, so a move
 * re-plans: the batch is cancelled with `movedTo`, and a new emergency batch `emergency-<customer>@<new start>+…`
 * is created with the same hosts, playbooks, packages, rollout rules and due time, awaiting approval.
 *
 * Rules:
 * - only an emergency batch that has not started (planned, awaiting approval, approved) can be moved;
 * - the new start is not in the past; it is before the due time (`contract.emergency_patch`) unless the mover
 *   says `--past-due` with a reason. Before the due time the window runs from the new start to the due time;
 *   past it, for as long as the moved window was; the cutoff is one hour before the end (a tenth if shorter);
 * - approvals are given for a batch at its time: the acceptance (`batches request-approval`) and every approval of
 *   the moved batch are void, even though its content is the same. The new batch needs an engineer to accept it
 *   and a second engineer to approve it again (the same people may);
 * - who moved it, from when to when, and why are in the audit trail (`batch.moved`, `batch.cancelled`,
 *   `approval.voided`, `batch.planned`);
 * - idempotent: moving again to the same start changes nothing; a move interrupted after the cancellation is
 *   completed by running it again.
 */
import type { Principal } from '../../domain/approvals/index.js';
import { canWrite, coversCustomer } from '../../domain/approvals/index.js';
import { AppError } from '../../errors.js';
import { applyApprovalRule, dispatchBatch, emit, type OrchestrationContext } from '../../releases/index.js';
import {
  createAdvisoryStore,
  createBatch,
  getApprovalRequest,
  getBatch,
  listDecisions,
  requireBatch,
  setBatchStatus,
  storeKeys,
  type BatchPlan,
  type BatchRecord,
  type EmergencyWindow,
} from '../../store/index.js';
import { isEmergencyBatch } from './batches.js';
import { basicInstant, emergencyCutoffMs } from './plan.js';

export interface MoveEmergencyOptions {
  /** The new start; whole seconds (a fraction is dropped, as in batch ids). */
  to: Date;
  reason?: string;
  /** Allow a start at or after the contract's due time (needs a reason). */
  pastDue?: boolean;
}

export interface MoveEmergencyResult {
  /** The batch that was moved (given). */
  from: string;
  /** The emergency batch at the new start (the same id when nothing changed). */
  batchId: string;
  /** False when the batch was already at that start, or already moved there. */
  changed: boolean;
  windowStart: string;
  windowEnd: string;
  cutoffAt: string;
  dueAt: string;
  pastDue: boolean;
  /** Approvers whose approval of the moved batch no longer counts. */
  voidedApprovers: string[];
  /** Who had accepted the moved batch (`request-approval`), now void; null if nobody had. */
  voidedRequester: string | null;
}

const MOVABLE = ['planned', 'awaiting-approval', 'approved'] as const;
const ID_PATTERN = /^emergency-([^@]+)@(\d{8}T\d{6}Z)\+(.+)$/;

/** The emergency details of a batch; batches planned before they were stored get them from their id and end. */
function emergencyOf(batch: BatchRecord): EmergencyWindow {
  if (batch.emergency !== undefined) return batch.emergency;
  const rest = ID_PATTERN.exec(batch.id)?.[3] ?? '';
  return { advisoryId: rest.replace(/-[0-9a-f]{6}$/, ''), dueAt: batch.windowEnd, movedFrom: null };
}

/** `emergency-<customer>@<start>+<advisory>-<hash>` with another start. */
export function movedEmergencyBatchId(batchId: string, startMs: number): string {
  const match = ID_PATTERN.exec(batchId);
  if (match === null) throw new AppError('input-invalid', `${batchId} is not an emergency batch id (emergency-<customer>@<start>+<advisory>-<hash>)`);
  return `emergency-${match[1]}@${basicInstant(startMs)}+${match[3]}`;
}

/** The moved window: to the due time when the start is before it, else as long as the window being moved. */
function movedWindow(batch: BatchRecord, startMs: number, dueMs: number): { windowStart: string; windowEnd: string; cutoffAt: string; pastDue: boolean } {
  const pastDue = startMs >= dueMs;
  const endMs = pastDue ? startMs + Math.max(60_000, Date.parse(batch.windowEnd) - Date.parse(batch.windowStart)) : dueMs;
  return { windowStart: new Date(startMs).toISOString(), windowEnd: new Date(endMs).toISOString(), cutoffAt: new Date(emergencyCutoffMs(startMs, endMs)).toISOString(), pastDue };
}

export async function moveEmergencyBatch(context: OrchestrationContext, batchId: string, mover: Principal, options: MoveEmergencyOptions): Promise<MoveEmergencyResult> {
  const { redis, prefix } = context;
  const batch = await requireBatch(redis, prefix, batchId);
  if (!isEmergencyBatch(batchId)) {
    throw new AppError('input-invalid', `batch ${batchId} is not an emergency batch; a regular window's batch follows its window's calendar (only emergency windows of urgent advisories can be moved)`);
  }
  if (!canWrite(mover) || !coversCustomer(mover.customers, batch.customerId)) {
    throw new AppError('forbidden', `${mover.name} may not move batch ${batchId}: it needs the engineer or admin role and customer ${batch.customerId} in scope`);
  }
  if (Number.isNaN(options.to.getTime())) throw new AppError('input-invalid', 'the new start is not a valid instant');
  const reason = (options.reason ?? '').trim();
  const startMs = Math.floor(options.to.getTime() / 1000) * 1000;
  const newId = movedEmergencyBatchId(batchId, startMs);
  const emergency = emergencyOf(batch);
  const dueMs = Date.parse(emergency.dueAt);
  const window = movedWindow(batch, startMs, dueMs);

  // Already moved: the same move again completes it (if it was interrupted) and changes nothing else.
  const movedTo = await redis.hget(storeKeys(prefix).batch(batchId), 'movedTo');
  if (movedTo !== null) {
    if (movedTo !== newId) throw new AppError('conflict', `batch ${batchId} was moved to ${movedTo} already; to move it again, move that batch`);
    const target = await getBatch(redis, prefix, newId);
    const created = await createMovedBatch(context, batch, emergency, newId, window, mover, reason);
    const current = target ?? (await requireBatch(redis, prefix, newId));
    return { from: batchId, batchId: newId, changed: created, windowStart: current.windowStart, windowEnd: current.windowEnd, cutoffAt: current.cutoffAt, dueAt: emergency.dueAt, pastDue: Date.parse(current.windowStart) >= dueMs, voidedApprovers: [], voidedRequester: null };
  }
  if (newId === batchId) {
    return { from: batchId, batchId, changed: false, windowStart: batch.windowStart, windowEnd: batch.windowEnd, cutoffAt: batch.cutoffAt, dueAt: emergency.dueAt, pastDue: Date.parse(batch.windowStart) >= dueMs, voidedApprovers: [], voidedRequester: null };
  }
  if (!(MOVABLE as readonly string[]).includes(batch.status) || batch.startedAt !== null) {
    const started = batch.startedAt === null ? '' : ` (started ${batch.startedAt})`;
    throw new AppError('conflict', `batch ${batchId} is ${batch.status}${started}; only an emergency batch that has not started can be moved`);
  }
  const now = context.clock.now();
  if (startMs < Math.floor(now.getTime() / 1000) * 1000) throw new AppError('input-invalid', `the new start ${new Date(startMs).toISOString()} is in the past (it is ${now.toISOString()}); to run it now, accept and approve the batch as it is`);
  if (window.pastDue) {
    if (options.pastDue !== true) {
      throw new AppError('input-invalid', `the new start ${window.windowStart} is not before the contract's due time ${emergency.dueAt} for customer ${batch.customerId}; to patch after the due time on purpose, add --past-due with --reason saying why`);
    }
    if (reason === '') throw new AppError('input-invalid', `moving batch ${batchId} past the contract's due time ${emergency.dueAt} needs --reason saying why (for the audit trail)`);
  }
  const existing = await getBatch(redis, prefix, newId);
  if (existing !== undefined) {
    throw new AppError('conflict', `batch ${newId} exists already (${existing.status}), from an earlier move to that start; choose another start (a second later is enough)`);
  }

  const [request, decisions] = await Promise.all([getApprovalRequest(redis, prefix, batchId), listDecisions(redis, prefix, batchId)]);
  const voidedApprovers = [...new Set(decisions.filter((d) => d.verdict === 'approved').map((d) => d.approver))];
  if (batch.status === 'approved' && batch.approvedBy !== null) for (const name of batch.approvedBy.split(',')) if (name !== '' && !voidedApprovers.includes(name)) voidedApprovers.push(name);
  const because = `moved to ${window.windowStart} by ${mover.name}${reason === '' ? '' : `: ${reason}`}`;
  const previous = await setBatchStatus(redis, prefix, batchId, MOVABLE, 'cancelled', now, { statusReason: `${because} (now batch ${newId})`, finishedAt: now.toISOString(), movedTo: newId });
  if (previous === undefined) {
    const current = await requireBatch(redis, prefix, batchId);
    throw new AppError('conflict', `batch ${batchId} became ${current.status} while it was being moved; nothing was moved, look at it again`);
  }
  const subject = `batch/${batchId}`;
  await context.audit.record({
    actor: mover.name,
    action: 'batch.moved',
    subject,
    customerId: batch.customerId,
    before: { status: previous, windowStart: batch.windowStart, windowEnd: batch.windowEnd, cutoffAt: batch.cutoffAt },
    after: { batchId: newId, windowStart: window.windowStart, windowEnd: window.windowEnd, cutoffAt: window.cutoffAt, dueAt: emergency.dueAt, pastDue: window.pastDue, hosts: batch.hostIds, params: batch.params },
    reason: reason === '' ? undefined : reason,
    at: now,
  });
  await context.audit.record({ actor: mover.name, action: 'batch.cancelled', subject, customerId: batch.customerId, before: { status: previous }, after: { status: 'cancelled', movedTo: newId }, reason: because, at: now });
  if (request !== undefined || voidedApprovers.length > 0) {
    await context.audit.record({
      actor: mover.name,
      action: 'approval.voided',
      subject,
      customerId: batch.customerId,
      before: { status: previous, requestedBy: request?.requestedBy ?? null, approvers: voidedApprovers },
      after: { batchId: newId, requestedBy: null, approvers: [] },
      reason: 'the emergency window was moved: approvals are given for a batch at its time, so the moved batch needs an engineer to accept it and a second engineer to approve it again',
      at: now,
    });
  }
  await emit(context, { type: 'batch.cancelled', batchId, occurrenceId: batch.occurrenceId, windowId: batch.windowId, customerId: batch.customerId, hostId: null, playbookId: batch.playbooks.join(','), failureClass: null, runId: null, reason: because });
  // Its hosts are skipped ("the batch was cancelled (moved to …)") and it leaves the open batches.
  await dispatchBatch({ ...context, actor: mover.name }, batchId);
  await createMovedBatch(context, batch, emergency, newId, window, mover, reason);
  return { from: batchId, batchId: newId, changed: true, ...window, dueAt: emergency.dueAt, voidedApprovers, voidedRequester: request?.requestedBy ?? null };
}

/** Creates the batch at the new start (if absent), awaiting approval, and points the advisory's actions at it. True if created here. */
async function createMovedBatch(context: OrchestrationContext, batch: BatchRecord, emergency: EmergencyWindow, newId: string, window: { windowStart: string; windowEnd: string; cutoffAt: string }, mover: Principal, reason: string): Promise<boolean> {
  const now = context.clock.now();
  const plan: BatchPlan = {
    id: newId,
    occurrenceId: newId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    playbooks: [...batch.playbooks],
    params: batch.params,
    checkMode: batch.checkMode,
    approval: 'required',
    rollout: batch.rollout,
    hostIds: [...batch.hostIds],
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
    cutoffAt: window.cutoffAt,
    plannedAt: now.toISOString(),
    plannedBy: mover.name,
    emergency: { advisoryId: emergency.advisoryId, dueAt: emergency.dueAt, movedFrom: batch.id },
  };
  const created = await createBatch(context.redis, context.prefix, plan, 'planned', now);
  if (created) {
    const why = `emergency batch ${batch.id} moved here by ${mover.name}${reason === '' ? '' : `: ${reason}`}`;
    await context.audit.record({ actor: mover.name, action: 'batch.planned', subject: `batch/${newId}`, customerId: plan.customerId, before: null, after: { status: 'planned', hosts: plan.hostIds, packages: plan.params.packages ?? null, windowStart: plan.windowStart, windowEnd: plan.windowEnd, cutoffAt: plan.cutoffAt, emergency: true, dueAt: emergency.dueAt, movedFrom: batch.id }, reason: why, at: now });
    await emit(context, { type: 'batch.planned', batchId: newId, occurrenceId: newId, windowId: plan.windowId, customerId: plan.customerId, hostId: null, playbookId: plan.playbooks.join(','), failureClass: null, runId: null, reason: why });
  }
  await applyApprovalRule({ ...context, actor: mover.name }, newId);
  // The advisory's actions record lists its batches: the moved one is replaced by the new one.
  const store = createAdvisoryStore(context.redis, context.prefix);
  const actions = await store.actions(emergency.advisoryId, batch.customerId);
  if (actions !== undefined && actions.batches.some((b) => b.batchId === batch.id)) {
    await store.saveActions({ ...actions, batches: actions.batches.map((b) => (b.batchId === batch.id ? { ...b, batchId: newId } : b)), updatedAt: now.toISOString() });
  }
  return created;
}
