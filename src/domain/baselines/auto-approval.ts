import type { AvailableUpdate, ReleaseAnchor } from './baseline.js';

const DAY_MS = 24 * 3_600_000;

/**
 * When an update becomes eligible: its anchor release instant plus N × 24 h of elapsed time (UTC, as SSM's
 * ApproveAfterDays; no calendar days, so DST never moves it). With anchor `first` a revision changes nothing;
 * with `latest` the delay restarts at the revision.
 */
export function eligibleFrom(update: Pick<AvailableUpdate, 'releasedAt' | 'revisedAt'>, days: number, anchor: ReleaseAnchor): Date {
  const anchorAt = anchor === 'latest' && update.revisedAt !== null ? update.revisedAt : update.releasedAt;
  return new Date(Date.parse(anchorAt) + days * DAY_MS);
}
