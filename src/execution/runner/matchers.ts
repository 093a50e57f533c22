import type { ExecResult } from '../transport.js';
import type { Matcher } from './plan.js';

/**
 * `changed_when` / `failed_when`: a matcher holds when ANY of its conditions holds (stdout matches, stderr
 * matches, the exit code is in `exit_codes`, the exit code is not in `exit_codes_not`). Regular expressions are
 * multi-line: `^` and `$` match at line boundaries.
 */
export function matches(matcher: Matcher, result: Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr'>): boolean {
  if (matcher.stdout !== undefined && new RegExp(matcher.stdout, 'm').test(result.stdout)) return true;
  if (matcher.stderr !== undefined && new RegExp(matcher.stderr, 'm').test(result.stderr)) return true;
  if (matcher.exitCodes !== undefined && matcher.exitCodes.includes(result.exitCode)) return true;
  if (matcher.exitCodesNot !== undefined && !matcher.exitCodesNot.includes(result.exitCode)) return true;
  return false;
}

/** Without `failed_when` a step fails on a non-zero exit; with it, only when the matcher holds. */
export function stepFailed(failedWhen: Matcher | undefined, result: Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr'>): boolean {
  return failedWhen === undefined ? result.exitCode !== 0 : matches(failedWhen, result);
}

/** Without `changed_when` a step reports no change: package changes are measured by packages_query instead. */
export function stepChanged(changedWhen: Matcher | undefined, result: Pick<ExecResult, 'exitCode' | 'stdout' | 'stderr'>): boolean {
  return changedWhen !== undefined && matches(changedWhen, result);
}
