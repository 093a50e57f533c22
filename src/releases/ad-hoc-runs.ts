import { createHash } from 'node:crypto';
import { findHost } from '../config/index.js';
import { canWrite, coversCustomer, type Principal } from '../domain/approvals/index.js';
import { isFinalBatchStatus, isFinalHostState, occurrenceId, type HostState } from '../domain/index.js';
import { AppError } from '../errors.js';
import type { HostRunResult } from '../execution/index.js';
import {
  batchHosts,
  createBatch,
  getApprovalRequest,
  getRun,
  getRunResults,
  readRunLog,
  requireBatch,
  setBatchStatus,
  type BatchPlan,
  type BatchRecord,
  type RunRecord,
} from '../store/index.js';
import { approveBatchContent, approveOutOfWindowRun, expireIfDue, requestApproval, type ApprovalOutcome, type DecisionOptions } from './approvals.js';
import { emit, type OrchestrationContext } from './context.js';
import { dispatchBatch } from './dispatcher.js';
import { runIdOf } from './host-outcomes.js';
import { applyApprovalRule, batchEvent } from './planner.js';

/**
 * `redback run` through the queue: an ad-hoc batch per customer (no maintenance window behind it) whose hosts any
 * worker runs like a scheduled batch's, with the same run records, events, audit entries, host locks and retries.
 * A run outside the hosts' maintenance windows (`--force`) is a batch that waits for a second engineer's approval
 * (`approveOutOfWindowBatch`, through the approval service's `approveOutOfWindowRun`), recorded with its reason.
 */
/** The `adHoc` field of an ad-hoc batch's plan (store/batches.ts `BatchPlan.adHoc`). */
export interface AdHocRunInfo {
  requestedBy: string;
  outOfWindow: boolean;
  reason: string | null;
}

/** The ad-hoc facts of a batch, or undefined for a window's batch. */
export function adHocOf(batch: Pick<BatchPlan, 'id'>): AdHocRunInfo | undefined {
  return (batch as { adHoc?: AdHocRunInfo }).adHoc;
}

export interface AdHocRunRequest {
  /** Playbook id or kind, resolved per host OS by the worker. */
  playbook: string;
  hostIds: readonly string[];
  params: Readonly<Record<string, unknown>>;
  checkMode: boolean;
  requester: Principal;
  /** The hosts are outside their maintenance windows: the batch waits for a second engineer. */
  outOfWindow: boolean;
  /** Why (required for an out-of-window run); goes to the audit trail. */
  reason: string | null;
  /** No host starts later than this after planning; an out-of-window approval expires then too. */
  startWithinMs: number;
}

export interface PlannedAdHocBatch {
  batchId: string;
  customerId: string;
  hostIds: string[];
  outOfWindow: boolean;
  /** False when the same request (same inputs, same second) had already created it. */
  created: boolean;
}

/**
 * The deterministic id of an ad-hoc batch: `run-<10 hex of the request>@<planning instant, basic UTC>`. The same
 * request in the same second gives the same id (and finds the batch already there); no `:` (DESIGN.md "Ids").
 */
export function adHocBatchId(input: { customerId: string; playbook: string; hostIds: readonly string[]; params: Readonly<Record<string, unknown>>; checkMode: boolean; requestedBy: string; outOfWindow: boolean; reason: string | null }, at: Date): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([input.customerId, input.playbook, input.hostIds, Object.entries(input.params).sort(([a], [b]) => a.localeCompare(b)), input.checkMode, input.requestedBy, input.outOfWindow, input.reason]))
    .digest('hex')
    .slice(0, 10);
  return occurrenceId(`run-${digest}`, Math.floor(at.getTime() / 1000) * 1000);
}

export async function planAdHocRun(context: OrchestrationContext, request: AdHocRunRequest): Promise<PlannedAdHocBatch[]> {
  const { requester } = request;
  const reason = request.reason?.trim() ?? '';
  if (request.outOfWindow && reason === '') {
    throw new AppError('input-invalid', 'a run outside the maintenance windows needs a reason for the audit trail and the second engineer: add --reason "why now"');
  }
  if (!canWrite(requester)) throw new AppError('forbidden', `${requester.name} may not run playbooks: it needs the engineer or admin role`);
  const byCustomer = new Map<string, string[]>();
  for (const hostId of request.hostIds) {
    const host = findHost(context.config, hostId);
    if (host === undefined) throw new AppError('input-invalid', `unknown host ${JSON.stringify(hostId)}`);
    byCustomer.set(host.customerId, [...(byCustomer.get(host.customerId) ?? []), hostId]);
  }
  for (const customerId of byCustomer.keys()) {
    if (!coversCustomer(requester.customers, customerId)) throw new AppError('forbidden', `${requester.name} may not run playbooks on customer ${customerId}'s hosts: it is not in their scope (${requester.customers.join(', ')})`);
  }

  const now = context.clock.now();
  const planned: PlannedAdHocBatch[] = [];
  for (const [customerId, hostIds] of byCustomer) {
    const id = adHocBatchId({ customerId, playbook: request.playbook, hostIds, params: request.params, checkMode: request.checkMode, requestedBy: requester.name, outOfWindow: request.outOfWindow, reason: reason || null }, now);
    const until = new Date(now.getTime() + request.startWithinMs).toISOString();
    const plan: BatchPlan & { adHoc: AdHocRunInfo } = {
      id,
      occurrenceId: id,
      windowId: id.slice(0, id.indexOf('@')),
      customerId,
      playbooks: [request.playbook],
      params: { ...request.params },
      checkMode: request.checkMode,
      approval: request.outOfWindow ? 'required' : 'auto',
      rollout: { maxConcurrency: undefined, maxErrors: undefined, serial: undefined, customerConcurrency: undefined },
      hostIds: [...hostIds],
      windowStart: now.toISOString(),
      windowEnd: until,
      cutoffAt: until,
      plannedAt: now.toISOString(),
      plannedBy: requester.name,
      adHoc: { requestedBy: requester.name, outOfWindow: request.outOfWindow, reason: reason || null },
    };
    const actor = { ...context, actor: requester.name };
    const created = await createBatch(context.redis, context.prefix, plan, 'planned', now);
    if (created) {
      await context.audit.record({ actor: requester.name, action: 'batch.planned', subject: `batch/${id}`, customerId, before: null, after: { status: 'planned', hosts: plan.hostIds, playbooks: plan.playbooks, checkMode: plan.checkMode, adHoc: plan.adHoc, cutoffAt: plan.cutoffAt }, reason: reason || undefined, at: now });
      await emit(context, batchEvent(plan, 'batch.planned'));
      if (request.outOfWindow) await requestApproval(actor, id, requester, reason);
      else await applyApprovalRule(actor, id);
    }
    await dispatchBatch(actor, id);
    planned.push({ batchId: id, customerId, hostIds: [...hostIds], outOfWindow: request.outOfWindow, created });
  }
  return planned;
}

export function isOutOfWindowRun(batch: Pick<BatchPlan, 'id'>): boolean {
  return adHocOf(batch)?.outOfWindow === true;
}

/**
 * A second engineer approves an out-of-window run: someone with the engineer or approver role, the customer in
 * scope, and not the requester (`approveOutOfWindowRun` audits `approval.second-engineer` with the reason, or
 * `approval.refused`). The batch becomes `approved` and is dispatched at once.
 */
export async function approveOutOfWindowBatch(context: OrchestrationContext, batchId: string, approver: Principal, comment = ''): Promise<BatchRecord['status']> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  const adHoc = adHocOf(batch);
  if (adHoc?.outOfWindow !== true) throw new AppError('input-invalid', `batch ${batchId} is not an out-of-window run; approve it with \`redback batches approve\``);
  if (batch.status !== 'awaiting-approval') throw new AppError('conflict', `batch ${batchId} is ${batch.status}; only an out-of-window run awaiting approval can be approved`);
  const now = context.clock.now();
  if (now.getTime() >= Date.parse(batch.cutoffAt)) {
    await expireIfDue(context, batchId);
    throw new AppError('conflict', `out-of-window run ${batchId}: its deadline ${batch.cutoffAt} has passed, so it can no longer be approved; it has expired`);
  }
  const requester = (await getApprovalRequest(context.redis, context.prefix, batchId))?.requestedBy ?? adHoc.requestedBy;
  const reason = `${adHoc.reason ?? ''}${comment.trim() === '' ? '' : ` (approver: ${comment.trim()})`}`;
  const acting = { ...context, actor: approver.name };
  await approveOutOfWindowRun(acting, { subject: `batch/${batchId}`, customerId: batch.customerId, requester, approver, reason, what: `the out-of-window run ${batchId}` });
  const previous = await setBatchStatus(context.redis, context.prefix, batchId, ['awaiting-approval'], 'approved', now, { approvedBy: approver.name, statusReason: `out-of-window run approved by ${approver.name} (requested by ${requester}): ${adHoc.reason ?? ''}` });
  if (previous === undefined) throw new AppError('conflict', `batch ${batchId} changed status while it was being approved; look at it again with \`redback batches show ${batchId}\``);
  await context.audit.record({ actor: approver.name, action: 'batch.approved', subject: `batch/${batchId}`, customerId: batch.customerId, before: { status: previous }, after: { status: 'approved', approvedBy: [approver.name], requestedBy: requester, outOfWindow: true }, reason, at: now });
  await emit(context, batchEvent(batch, 'batch.approved'));
  await dispatchBatch(acting, batchId);
  return (await requireBatch(context.redis, context.prefix, batchId)).status;
}

export type ApproveResult = { kind: 'release'; outcome: ApprovalOutcome } | { kind: 'out-of-window'; status: BatchRecord['status'] };

/** `redback batches approve`: an out-of-window run takes a second engineer; every other batch the four-eyes release rules. */
export async function approveBatchOrRun(context: OrchestrationContext, batchId: string, approver: Principal, options: DecisionOptions): Promise<ApproveResult> {
  const batch = await requireBatch(context.redis, context.prefix, batchId);
  if (isOutOfWindowRun(batch)) return { kind: 'out-of-window', status: await approveOutOfWindowBatch(context, batchId, approver, options.comment) };
  return { kind: 'release', outcome: await approveBatchContent(context, batchId, approver, options) };
}

/** What `redback run` shows of a host while it waits. */
export interface HostProgress {
  hostId: string;
  batchId: string;
  state: HostState;
  /** New progress lines since the last call (the runner's `system` lines: command started, ended, retry, reboot). */
  lines: string[];
  batchStatus: BatchRecord['status'];
}

/**
 * Follows ad-hoc batches until every host is final: moves them along (as a scheduler's loop would, so a worker
 * alone is enough), reports each host's state and new progress lines, and returns each host's result.
 */
export async function followAdHocRun(
  context: OrchestrationContext,
  batchIds: readonly string[],
  options: { onProgress(progress: HostProgress): void; pollMs?: number; signal?: AbortSignal },
): Promise<Map<string, HostRunResult>> {
  const cursors = new Map<string, number>();
  const lastState = new Map<string, string>();
  for (;;) {
    let done = true;
    for (const batchId of batchIds) {
      let batch = await requireBatch(context.redis, context.prefix, batchId);
      if (!isFinalBatchStatus(batch.status)) {
        await dispatchBatch(context, batchId);
        batch = await requireBatch(context.redis, context.prefix, batchId);
      }
      for (const host of await batchHosts(context.redis, context.prefix, batch)) {
        const runId = runIdOf(batchId, host.hostId);
        const log = await readRunLog(context.redis, context.prefix, runId, cursors.get(runId) ?? 0);
        cursors.set(runId, log.next);
        const lines = log.lines.filter((l) => l.stream === 'system').map((l) => l.line);
        const key = `${host.state} ${batch.status}`;
        if (lines.length > 0 || lastState.get(runId) !== key) options.onProgress({ hostId: host.hostId, batchId, state: host.state, lines, batchStatus: batch.status });
        lastState.set(runId, key);
        if (!isFinalHostState(host.state)) done = false;
      }
      if (!isFinalBatchStatus(batch.status)) done = false;
    }
    if (done) break;
    if (options.signal?.aborted === true) throw new AppError('conflict', 'stopped waiting; the run goes on (follow it with `redback batches show --watch`)');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
  }
  const results = new Map<string, HostRunResult>();
  for (const batchId of batchIds) {
    const batch = await requireBatch(context.redis, context.prefix, batchId);
    for (const hostId of batch.hostIds) {
      const runId = runIdOf(batchId, hostId);
      const run = await getRun(context.redis, context.prefix, runId);
      const kept = (await getRunResults<HostRunResult>(context.redis, context.prefix, runId))?.at(-1);
      results.set(hostId, resultOf(batch, hostId, run, kept));
    }
  }
  return results;
}

/**
 * The runner's own result when the worker kept it and the run ended by running; otherwise (deferred, skipped,
 * interrupted, never started) a result in the same shape that says why.
 */
function resultOf(batch: BatchRecord, hostId: string, run: RunRecord | undefined, kept: HostRunResult | undefined): HostRunResult {
  if (kept !== undefined && (run?.status === 'succeeded' || run?.status === 'failed')) return kept;
  const at = run?.finishedAt ?? new Date().toISOString();
  const failed = run?.status === 'interrupted' || run?.status === 'failed' || (run?.status === 'deferred' && run.failureClass !== null);
  const status: HostRunResult['status'] = !failed ? 'skipped' : run?.failureClass === 'unreachable' ? 'unreachable' : 'failed';
  return {
    ...(kept ?? {}),
    hostId,
    playbookId: kept?.playbookId ?? batch.playbooks.join(','),
    checkMode: batch.checkMode,
    status,
    failureClass: failed ? (run?.failureClass ?? 'internal') : null,
    failedAt: kept?.failedAt ?? null,
    message: run?.reason ?? `not run: the batch is ${batch.status}${batch.statusReason === null ? '' : ` (${batch.statusReason})`}`,
    startedAt: kept?.startedAt ?? run?.startedAt ?? at,
    finishedAt: kept?.finishedAt ?? at,
    durationMs: kept?.durationMs ?? run?.durationMs ?? 0,
    commands: kept?.commands ?? [],
    packagesChanged: kept?.packagesChanged ?? [],
    plannedChanges: kept?.plannedChanges ?? [],
    reboot: kept?.reboot ?? { policy: 'never', required: null, performed: false },
  };
}
