import type { FailureClass } from '../domain/failure-class.js';
import { isRetryable } from '../domain/failure-class.js';

/**
 * Retries of a host run: only retryable failure classes (unreachable, timeout, internal) are tried again, with
 * exponential backoff; a step that ran and failed, an auth or host-key failure is final at once.
 */
export const HOST_RUN_ATTEMPTS = 3;
export const HOST_RUN_BACKOFF = { type: 'exponential', delay: 5_000 } as const;

export function shouldRetry(failureClass: FailureClass | null, attemptsMade: number, attempts: number = HOST_RUN_ATTEMPTS): boolean {
  return failureClass !== null && isRetryable(failureClass) && attemptsMade + 1 < attempts;
}

/** Thrown by the host-run processor so that BullMQ schedules the next attempt with its backoff. */
export class RetryableRunError extends Error {
  readonly failureClass: FailureClass;

  constructor(failureClass: FailureClass, message: string) {
    super(message);
    this.name = 'RetryableRunError';
    this.failureClass = failureClass;
  }
}
