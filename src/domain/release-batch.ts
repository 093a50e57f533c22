/**
 * Release batch and host-run statuses, and the rule that turns a finished batch's counts into its final status.
 */
export const BATCH_STATUSES = [
  'planned',
  'awaiting-approval',
  'approved',
  'running',
  'succeeded',
  'partially-failed',
  'failed',
  'halted',
  'expired',
  'cancelled',
] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ['succeeded', 'partially-failed', 'failed', 'halted', 'expired', 'cancelled'];

export function isFinalBatchStatus(status: BatchStatus): boolean {
  return FINAL_BATCH_STATUSES.includes(status);
}

/**
 * A host's state inside one batch. `pending` has not been handed to the queue; `queued` has; `skipped` was never
 * started because the batch halted, was cancelled or no longer targets the host; `deferred` could not start
 * before the cutoff and moves to the host's next window.
 */
export const HOST_STATES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'interrupted', 'deferred', 'skipped'] as const;
export type HostState = (typeof HOST_STATES)[number];

export const FINAL_HOST_STATES: readonly HostState[] = ['succeeded', 'failed', 'interrupted', 'deferred', 'skipped'];

export function isFinalHostState(state: HostState): boolean {
  return FINAL_HOST_STATES.includes(state);
}

/** A run record's status: the states a run can be seen in, from queued to its end. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'interrupted', 'deferred', 'skipped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface BatchOutcomeCounts {
  succeeded: number;
  /** Failed and interrupted runs. */
  failed: number;
  /** Deferred to a later window, or skipped. */
  notRun: number;
}

/**
 * The status of a batch whose hosts have all finished and that was neither halted nor cancelled:
 * every host succeeded -> `succeeded`; nothing ran because the window passed -> `expired`; every host that ran
 * failed and none was left over -> `failed`; any other mix (including successes beside deferred hosts) ->
 * `partially-failed`, so that left-over work is never reported as a clean success.
 */
export function finalBatchStatus(counts: BatchOutcomeCounts): BatchStatus {
  const { succeeded, failed, notRun } = counts;
  if (failed === 0 && notRun === 0) return 'succeeded';
  if (succeeded === 0 && failed === 0) return 'expired';
  if (succeeded === 0 && notRun === 0) return 'failed';
  return 'partially-failed';
}
