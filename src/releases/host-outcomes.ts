import type { FailureClass } from '../domain/failure-class.js';
import type { HostState, RunStatus } from '../domain/release-batch.js';
import { nextOccurrenceForHost } from '../scheduling/index.js';
import { getRun, saveRun, transitionHost, type BatchPlan, type RunRecord } from '../store/index.js';
import { emit, type OrchestrationContext } from './context.js';

/**
 * The ways a host leaves a batch without running (deferred, skipped) and the run record that says so. Every
 * host ends with a run record and an event, so nothing is dropped without a trace.
 */

export function runIdOf(batchId: string, hostId: string): string {
  return `${batchId}/${hostId}`;
}

/** A new run record for a host of a batch, as queued. */
export function newRunRecord(batch: BatchPlan, hostId: string, now: Date): RunRecord {
  return {
    id: runIdOf(batch.id, hostId),
    batchId: batch.id,
    occurrenceId: batch.occurrenceId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    hostId,
    playbooks: batch.playbooks,
    checkMode: batch.checkMode,
    status: 'queued',
    failureClass: null,
    reason: null,
    deferredTo: null,
    attempts: 0,
    workerId: null,
    queuedAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    steps: [],
  };
}

export async function loadOrCreateRun(context: OrchestrationContext, batch: BatchPlan, hostId: string): Promise<RunRecord> {
  return (await getRun(context.redis, context.prefix, runIdOf(batch.id, hostId))) ?? newRunRecord(batch, hostId, context.clock.now());
}

/**
 * Defers a host that cannot start before the cutoff to its next window (the union of the windows that target
 * it). Returns false if the host had already moved on (another process got there first).
 */
export async function deferHost(context: OrchestrationContext, batch: BatchPlan, hostId: string, from: readonly HostState[], reason: string): Promise<boolean> {
  const next = nextOccurrenceOrNull(context, hostId, Date.parse(batch.windowStart));
  // A host whose last attempt failed (unreachable, waiting for its retry) missed the window because of that
  // failure: the deferral keeps the class, so the helpdesk knows an unreachable host missed its window.
  const last = from.includes('queued') ? await getRun(context.redis, context.prefix, runIdOf(batch.id, hostId)) : undefined;
  const failureClass = last !== undefined && last.attempts > 0 ? last.failureClass : null;
  const why = failureClass === null ? reason : `${reason} (its last attempt failed: ${failureClass})`;
  const note = next === null ? `${why}; no later window targets this host` : `${why}; deferred to ${next}`;
  const previous = await transitionHost(context.redis, context.prefix, batch, hostId, from, 'deferred', note);
  if (previous === undefined) return false;
  await closeRun(context, batch, hostId, { status: 'deferred', failureClass, reason: note, deferredTo: next });
  return true;
}

/** Marks a host that will not run in this batch (halted, cancelled, no longer targeted). */
export async function skipHost(context: OrchestrationContext, batch: BatchPlan, hostId: string, from: readonly HostState[], reason: string): Promise<boolean> {
  const previous = await transitionHost(context.redis, context.prefix, batch, hostId, from, 'skipped', reason);
  if (previous === undefined) return false;
  await closeRun(context, batch, hostId, { status: 'skipped', failureClass: null, reason, deferredTo: null });
  return true;
}

async function closeRun(
  context: OrchestrationContext,
  batch: BatchPlan,
  hostId: string,
  outcome: { status: RunStatus; failureClass: FailureClass | null; reason: string; deferredTo: string | null },
): Promise<void> {
  const now = context.clock.now();
  const run = await loadOrCreateRun(context, batch, hostId);
  const closed: RunRecord = { ...run, ...outcome, finishedAt: now.toISOString() };
  await saveRun(context.redis, context.prefix, closed);
  await emit(context, {
    type: outcome.status === 'deferred' ? 'run.deferred' : 'run.skipped',
    batchId: batch.id,
    occurrenceId: batch.occurrenceId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    hostId,
    playbookId: batch.playbooks.join(','),
    failureClass: outcome.failureClass,
    runId: closed.id,
    reason: outcome.reason,
    deferredTo: outcome.deferredTo,
  });
  await context.audit.record({ actor: context.actor, action: `run.${outcome.status}`, subject: `run/${closed.id}`, customerId: batch.customerId, before: { status: run.status }, after: { status: outcome.status, failureClass: outcome.failureClass, reason: outcome.reason, deferredTo: outcome.deferredTo }, at: now });
}

function nextOccurrenceOrNull(context: OrchestrationContext, hostId: string, afterMs: number): string | null {
  try {
    return nextOccurrenceForHost(context.config, hostId, afterMs)?.id ?? null;
  } catch {
    return null; // the host left the inventory: nothing to defer to
  }
}
