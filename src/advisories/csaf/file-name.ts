/** CSAF §5.1: the file name is the tracking id, lower-cased, every run outside `[+\-a-z0-9]` replaced by `_`, plus `.json`. */
import type { AdvisoryProblem } from '../problems.js';

export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/**
 * Checks a file name against §5.1. A local prefix ending in `-` is accepted (`redhat-rhsa-2024_3666.json`), because
 * drop folders mix publishers; the part after it must match exactly, case included.
 */
export function checkCsafFileName(fileName: string, trackingId: string): AdvisoryProblem[] {
  const expected = csafFileName(trackingId);
  if (fileName === expected || fileName.endsWith(`-${expected}`)) return [];
  return [{ test: '5.1', path: '$.document.tracking.id', message: `the file is named "${fileName}" but tracking id "${trackingId}" requires "${expected}"` }];
}
