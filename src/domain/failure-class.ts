/**
 * Every failure has a class (DESIGN.md). Escalation, retries and reports key on it.
 */
export const FAILURE_CLASSES = [
  'unreachable',
  'auth',
  'host-key',
  'timeout',
  'step-failed',
  'reboot-timeout',
  'window-closed',
  'cancelled',
  'internal',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Connection-level failures may succeed on a later attempt; a command that ran and failed will not. */
export function isRetryable(failureClass: FailureClass): boolean {
  return failureClass === 'unreachable' || failureClass === 'timeout' || failureClass === 'internal';
}
