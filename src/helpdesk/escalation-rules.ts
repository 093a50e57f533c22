import type { FailureClass } from '../domain/failure-class.js';
import type { Level } from '../domain/priority.js';

/**
 * How urgent a failed run is, by its failure class. A host that does not come back after a reboot is down
 * now; a changed host key may be an attack; an unreachable host is only ticketed when its next window is too
 * late for the SLA, so it is urgent by then. A host cut off by the window end waits for the next window.
 */
export function urgencyForFailure(failureClass: FailureClass): Level {
  switch (failureClass) {
    case 'reboot-timeout':
    case 'host-key':
    case 'unreachable':
      return 'high';
    case 'window-closed':
      return 'low';
    default:
      return 'medium';
  }
}

/** A cancelled run was stopped on purpose by an engineer: nothing to escalate. */
export function escalates(failureClass: FailureClass): boolean {
  return failureClass !== 'cancelled';
}

/** One incident per (customer, window occurrence, failure class). */
export function escalationKey(customerId: string, occurrenceId: string, failureClass: FailureClass): string {
  return `run/${customerId}/${occurrenceId}/${failureClass}`;
}

/** Evidence thresholds for automatic problems. */
export const RECURRING_FAILURE = { hosts: 3, customers: 3, withinMs: 7 * 24 * 3_600_000 } as const;
export const WINDOW_TOO_SMALL_IN_A_ROW = 3;
