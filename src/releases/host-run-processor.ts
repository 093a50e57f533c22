import { DelayedError } from 'bullmq';
import type { Host } from '../config/index.js';
import { coerceError } from '../errors.js';
import { errorBudgetOf, exceedsErrorBudget } from '../domain/rollout.js';
import { DEFAULT_HOST_LOCK_TTL_MS, holdHostLock, hostLockToken, parseJobPayload, releaseHostLock, RetryableRunError, shouldRetry, HOST_RUN_ATTEMPTS, type HostLock, type HostRunJob } from '../queue/index.js';
import {
  appendRunLog,
  batchCounts,
  beginHostRun,
  endHostRun,
  finishHostRun,
  getBatch,
  getBatchPlan,
  getRun,
  hostState,
  saveRun,
  transitionHost,
  type BatchPlan,
  type BeginRunResult,
  type PhaseCounts,
  type RunLogLine,
  type RunRecord,
} from '../store/index.js';
import type { OrchestrationContext } from './context.js';
import { dispatchBatch, haltBatch } from './dispatcher.js';
import type { CancelWatch } from './cancel-watch.js';
import type { HostRunExecutor, HostRunOutcome } from './executor.js';
import { deferHost, loadOrCreateRun, newRunRecord, runIdOf, skipHost } from './host-outcomes.js';

export interface HostRunProcessorOptions {
  executor: HostRunExecutor;
  workerId: string;
  /** Stops runs whose batch is cancelled with `--abort-running`; without it, runs in progress always finish. */
  cancelWatch?: CancelWatch;
  hostLockTtlMs?: number;
  /** How long a job waits before trying again when another run holds the host's lock. */
  lockBusyDelayMs?: number;
}

/**
 * One host run, as a BullMQ job. Before anything starts it re-checks the batch (still running?), the cutoff and
 * the host lock; a run that a dead worker left behind is marked `interrupted` (class internal) rather than run
 * a second time, because the playbook may have been half applied.
 */
export function createHostRunProcessor(context: OrchestrationContext, options: HostRunProcessorOptions) {
  // Inventories of thousands of hosts: look hosts up by id, not by scanning the list for every run.
  const hosts = new Map(context.config.hosts.map((host) => [host.id, host]));
  return async (job: HostRunJob, token: string | undefined): Promise<void> => {
    const { batchId, hostId } = parseJobPayload('host-run', job.data);
    // The plan is cached per process; the batch's status, the host's state and the cutoff are checked by the
    // start step itself, so a run starts with one round trip.
    const plan = await getBatchPlan(context.redis, context.prefix, batchId);
    if (plan === undefined) {
      context.logger.warn({ job: job.id }, 'host-run job for a batch that does not exist; dropping it');
      return;
    }
    // One step checks the batch, the host and the cutoff, takes the host lock and, if the host is still queued,
    // moves it to running with its record, the run.started event and audit entry (store beginHostRun).
    const ttlMs = options.hostLockTtlMs ?? DEFAULT_HOST_LOCK_TTL_MS;
    const lockToken = hostLockToken(`${runIdOf(batchId, hostId)} ${options.workerId}`);
    const started = context.clock.now();
    const begun = await beginRun(context, plan, hostId, { lockToken, lockTtlMs: ttlMs, now: started, workerId: options.workerId });
    switch (begun.kind) {
      case 'done':
        return; // already finished: a duplicate delivery
      case 'batch-not-running': {
        const batch = await getBatch(context.redis, context.prefix, batchId);
        const why = batch?.statusReason === null || batch?.statusReason === undefined ? '' : ` (${batch.statusReason})`;
        await skipHost(context, plan, hostId, ['queued'], `not started: the batch is ${begun.status ?? 'gone'}${why}`);
        return;
      }
      case 'cutoff':
        await deferHost(context, plan, hostId, ['queued'], `the cutoff ${plan.cutoffAt} passed before the run could start`);
        await dispatchQuietly(context, batchId);
        return;
      case 'busy':
        // Another run (another batch, or a dead worker's lock not yet expired) holds the host: wait, do not fail.
        await job.moveToDelayed(Date.now() + (options.lockBusyDelayMs ?? 2000), token);
        throw new DelayedError();
      default:
        break;
    }
    const lock = holdHostLock(context.redis, context.prefix, hostId, lockToken, { ttlMs });
    let counts: PhaseCounts | undefined;
    let ended = false;
    try {
      counts =
        begun.kind === 'not-queued'
          ? await finishRun(context, plan, hostId, await loadOrCreateRun(context, plan, hostId), {
              status: 'failed',
              failureClass: 'internal',
              reason: 'interrupted: the worker running it stopped (process died or lost its locks); not run again because the playbook may have been half applied',
              steps: [],
            }, 'interrupted', lockToken)
          : await runOnce(context, options, job, plan, { hostId, attempts: begun.attempts, startedAt: started }, hosts.get(hostId), lock, lockToken);
      ended = true;
    } finally {
      // The end step releases the lock itself; this is for a run that ended another way (an error, a retry).
      lock.stopRenewing();
      if (!ended && !lock.isLost) await lock.release().catch((error: unknown) => context.logger.warn({ err: error, host: hostId }, 'could not release the host lock; it expires on its own'));
    }
    // A freed slot matters only while hosts wait to be handed out, and the last run closes the batch.
    counts ??= await batchCounts(context.redis, context.prefix, plan);
    if (counts.dispatched < plan.hostIds.length || counts.inFlight === 0) await dispatchQuietly(context, batchId);
  };
}

type RunStart = Exclude<BeginRunResult, { kind: 'no-record' } | { kind: 'bad-record' }>;

/**
 * The start step, with its two repairs: a queued host without a run record (only something outside redback
 * removes it) gets a new one, and a record the step cannot read in Lua is written again by `saveRun`, which makes its
 * texts well formed; then the step is tried once more. If the step fails, a lock it may have taken is freed.
 */
async function beginRun(context: OrchestrationContext, plan: BatchPlan, hostId: string, start: { lockToken: string; lockTtlMs: number; now: Date; workerId: string }): Promise<RunStart> {
  const runId = runIdOf(plan.id, hostId);
  for (let attempt = 1; ; attempt++) {
    let begun: BeginRunResult;
    try {
      begun = await beginHostRun(context.redis, context.prefix, plan, hostId, { ...start, actor: context.actor });
    } catch (error) {
      await releaseHostLock(context.redis, context.prefix, hostId, start.lockToken).catch(() => undefined);
      throw error;
    }
    if (begun.kind !== 'no-record' && begun.kind !== 'bad-record') return begun;
    if (attempt >= 2) throw new Error(`run ${runId}: its record could not be started (${begun.kind === 'bad-record' ? begun.problem : 'missing'}) even after it was written again`);
    context.logger.warn({ run: runId, problem: begun.kind === 'bad-record' ? begun.problem : 'missing' }, 'the run record of a queued host could not be read by the start step; writing it again');
    await saveRun(context.redis, context.prefix, (await getRun(context.redis, context.prefix, runId)) ?? newRunRecord(plan, hostId, start.now));
  }
}

/** Runs the playbooks of a host that has just moved to running; returns the batch's counts after its end. */
async function runOnce(
  context: OrchestrationContext,
  options: HostRunProcessorOptions,
  job: HostRunJob,
  batch: BatchPlan,
  run: { hostId: string; attempts: number; startedAt: Date },
  host: Host | undefined,
  lock: HostLock,
  lockToken: string,
): Promise<PhaseCounts | undefined> {
  const { hostId } = run;
  const runId = runIdOf(batch.id, hostId);
  // Output lines not yet flushed when the run ends go to the log in the same step as the end (endRun).
  const lines: RunLogLine[] = [];
  const outcome = await execute(context, options, batch, hostId, host, runId, lock.lost, lines);
  const attempts = job.opts.attempts ?? HOST_RUN_ATTEMPTS;
  const beforeCutoff = context.clock.now().getTime() < Date.parse(batch.cutoffAt);
  if (outcome.status === 'failed' && outcome.retryable !== false && beforeCutoff && shouldRetry(outcome.failureClass, job.attemptsMade, attempts)) {
    await appendRunLog(context.redis, context.prefix, runId, lines.splice(0));
    await transitionHost(context.redis, context.prefix, batch, hostId, ['running'], 'queued');
    const record = await loadOrCreateRun(context, batch, hostId);
    await saveRun(context.redis, context.prefix, { ...record, status: 'queued', failureClass: outcome.failureClass, reason: `attempt ${run.attempts} failed (${outcome.reason ?? outcome.failureClass}); retrying with backoff`, steps: outcome.steps });
    throw new RetryableRunError(outcome.failureClass ?? 'internal', outcome.reason ?? 'retryable failure');
  }
  return await endRun(context, batch, { ...run, workerId: options.workerId }, outcome, lockToken, lines.splice(0));
}

/**
 * Ends a run that this worker started, in one step (store endHostRun): the lock, the host's state, the record
 * patched where it is, the event and audit entry written from it, the last log lines; then the error budget. A
 * record the step cannot read is ended with a whole record instead (finishRun).
 */
async function endRun(context: OrchestrationContext, batch: BatchPlan, run: { hostId: string; attempts: number; startedAt: Date; workerId: string }, outcome: HostRunOutcome, lockToken: string, log: readonly RunLogLine[]): Promise<PhaseCounts | undefined> {
  const finishedAt = context.clock.now();
  const ended = await endHostRun(context.redis, context.prefix, batch, run.hostId, {
    to: outcome.status,
    failureClass: outcome.failureClass,
    reason: outcome.reason,
    steps: outcome.steps,
    finishedAt,
    durationMs: finishedAt.getTime() - run.startedAt.getTime(),
    actor: context.actor,
    lockToken,
    log,
  });
  if (ended.kind === 'unreadable') {
    context.logger.warn({ run: runIdOf(batch.id, run.hostId), problem: ended.problem }, 'the end step could not read the run record; writing it whole');
    // What can still be read of it is kept; what this run knows replaces the rest.
    const stored = await getRun(context.redis, context.prefix, runIdOf(batch.id, run.hostId)).catch(() => undefined);
    const record: RunRecord = { ...(stored ?? newRunRecord(batch, run.hostId, run.startedAt)), status: 'running', attempts: run.attempts, workerId: run.workerId, startedAt: run.startedAt.toISOString() };
    return await finishRun(context, batch, run.hostId, record, outcome, outcome.status, undefined, log);
  }
  context.audit.sealSoon();
  if (ended.kind === 'not-running') return undefined;
  await haltOnErrorBudget(context, batch, outcome.status, ended.counts.failed);
  return ended.counts;
}

/** Runs the executor; output lines are flushed to the run log twice a second, and what is left stays in `pending`. */
async function execute(
  context: OrchestrationContext,
  options: HostRunProcessorOptions,
  batch: BatchPlan,
  hostId: string,
  host: Host | undefined,
  runId: string,
  lockLost: Promise<void>,
  pending: RunLogLine[],
): Promise<HostRunOutcome> {
  if (host === undefined) {
    return { status: 'failed', failureClass: 'internal', reason: `host ${hostId} is no longer in the inventory`, steps: [], retryable: false };
  }
  const abort = new AbortController();
  void lockLost.then(() => abort.abort(new Error(`lost the lock of host ${hostId}`)));
  let cancelledWhy: string | undefined;
  const unwatch = options.cancelWatch?.watch(batch.id, (why) => {
    cancelledWhy = why;
    abort.abort(new Error(why));
  });
  const flush = async (): Promise<void> => {
    await appendRunLog(context.redis, context.prefix, runId, pending.splice(0));
  };
  const flusher = setInterval(() => void flush().catch(() => undefined), 500);
  try {
    const outcome = await options.executor({
      runId,
      host,
      playbooks: batch.playbooks,
      params: batch.params,
      checkMode: batch.checkMode,
      keepResults: batch.adHoc !== undefined,
      signal: abort.signal,
      onLine: (step, stream, line) => pending.push({ at: new Date().toISOString(), step, stream, line }),
    });
    // Say why the commands were stopped: the transport only knows that they were.
    if (cancelledWhy !== undefined && outcome.status === 'failed' && outcome.failureClass === 'cancelled') return { ...outcome, reason: `${cancelledWhy}: ${outcome.reason ?? 'stopped'}`, retryable: false };
    return outcome;
  } catch (error) {
    const err = coerceError(error);
    return { status: 'failed', failureClass: 'internal', reason: `the runner failed: ${err.message}`, steps: [] };
  } finally {
    clearInterval(flusher);
    unwatch?.();
  }
}

/**
 * Ends a running host in one step (store finishHostRun): state, record, event, audit entry and, with `lockToken`,
 * the release of the host lock; then the error budget. Returns the batch's counts right after, or undefined when
 * the host was no longer running.
 */
async function finishRun(
  context: OrchestrationContext,
  batch: BatchPlan,
  hostId: string,
  run: RunRecord,
  outcome: HostRunOutcome,
  state: 'succeeded' | 'failed' | 'interrupted',
  lockToken?: string,
  log: readonly RunLogLine[] = [],
): Promise<PhaseCounts | undefined> {
  const finished = context.clock.now();
  const startedMs = run.startedAt === null ? finished.getTime() : Date.parse(run.startedAt);
  const record: RunRecord = { ...run, status: state, failureClass: outcome.failureClass, reason: outcome.reason, steps: outcome.steps, finishedAt: finished.toISOString(), durationMs: finished.getTime() - startedMs };
  const type = state === 'succeeded' ? 'run.succeeded' : state === 'interrupted' ? 'run.interrupted' : 'run.failed';
  const ended = await finishHostRun(context.redis, context.prefix, batch, hostId, {
    from: ['running'],
    to: state,
    note: outcome.reason ?? '',
    record,
    event: { ...runEvent(batch, hostId, type, outcome.failureClass), reason: outcome.reason ?? undefined, at: finished.toISOString() },
    audit: { actor: context.actor, action: type, subject: `run/${run.id}`, customerId: batch.customerId, before: { status: 'running' }, after: { status: state, failureClass: outcome.failureClass }, reason: outcome.reason ?? undefined, at: finished },
    lockToken,
    log,
  });
  context.audit.sealSoon();
  if (ended === undefined) return undefined;
  await haltOnErrorBudget(context, batch, state, ended.counts.failed);
  return ended.counts;
}

async function haltOnErrorBudget(context: OrchestrationContext, batch: BatchPlan, state: 'succeeded' | 'failed' | 'interrupted', failed: number): Promise<void> {
  if (state !== 'succeeded' && exceedsErrorBudget(failed, errorBudgetOf(batch.rollout, batch.hostIds.length))) await haltBatch(context, batch, failed);
}

/**
 * Called when BullMQ gives up on a job (attempts used up, or stalled more often than allowed): a host left
 * queued or running is closed as interrupted so that the batch can finish.
 */
export async function closeAbandonedRun(context: OrchestrationContext, batchId: string, hostId: string, why: string): Promise<void> {
  const batch = await getBatch(context.redis, context.prefix, batchId);
  if (batch === undefined) return;
  const run = await loadOrCreateRun(context, batch, hostId);
  const state = await hostState(context.redis, context.prefix, batchId, hostId);
  if (state === 'queued') await transitionHost(context.redis, context.prefix, batch, hostId, ['queued'], 'running');
  if (state === 'queued' || state === 'running') {
    await finishRun(context, batch, hostId, run, { status: 'failed', failureClass: 'internal', reason: `interrupted: ${why}`, steps: run.steps }, 'interrupted');
  }
  await dispatchQuietly(context, batchId);
}

async function dispatchQuietly(context: OrchestrationContext, batchId: string): Promise<void> {
  await dispatchBatch(context, batchId).catch((error: unknown) => context.logger.warn({ err: error, batch: batchId }, 'dispatch after a run failed; the scheduler tick will retry'));
}

function runEvent(batch: BatchPlan, hostId: string, type: 'run.started' | 'run.succeeded' | 'run.failed' | 'run.interrupted', failureClass: HostRunOutcome['failureClass']) {
  return {
    type,
    batchId: batch.id,
    occurrenceId: batch.occurrenceId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    hostId,
    playbookId: batch.playbooks.join(','),
    failureClass,
    runId: runIdOf(batch.id, hostId),
  };
}
