import { eligibleFrom } from './auto-approval.js';
import { matchesPackage, type AvailableUpdate, type Baseline } from './baseline.js';

export type SelectionReason = 'rejected' | 'held' | 'approved-explicitly' | 'classification' | 'severity' | 'not-yet-eligible' | 'eligible' | 'no-baseline';

export interface UpdateDecision {
  update: AvailableUpdate;
  taken: boolean;
  reason: SelectionReason;
  /** Why, in words, for `redback batches show` and the approver. */
  detail: string;
}

/**
 * Which updates a regular batch takes, in this order:
 * 1. a rejected package is never taken (rejection wins over explicit approval);
 * 2. a held package is taken only to its pinned version;
 * 3. an explicitly approved package is taken, whatever the filters and the delay;
 * 4. the classification filter, then the severity filter;
 * 5. the auto-approval delay: taken from `eligibleFrom` on.
 * Without a baseline every available update is taken.
 */
export function selectUpdates(baseline: Baseline | undefined, updates: readonly AvailableUpdate[], now: Date): UpdateDecision[] {
  return updates.map((update) => decide(baseline, update, now));
}

function decide(baseline: Baseline | undefined, update: AvailableUpdate, now: Date): UpdateDecision {
  const take = (reason: SelectionReason, detail: string): UpdateDecision => ({ update, taken: true, reason, detail });
  const leave = (reason: SelectionReason, detail: string): UpdateDecision => ({ update, taken: false, reason, detail });
  if (baseline === undefined) return take('no-baseline', 'no baseline applies to the host: every available update is taken');
  const rejectedBy = baseline.rejected.find((p) => matchesPackage(p, update.name));
  if (rejectedBy !== undefined) return leave('rejected', `rejected by baseline ${baseline.id} (${rejectedBy})`);
  const hold = baseline.holds.find((h) => matchesPackage(h.package, update.name));
  if (hold !== undefined && hold.version !== update.to) return leave('held', `held at ${hold.version} by baseline ${baseline.id}`);
  const approvedBy = baseline.approved.find((p) => matchesPackage(p, update.name));
  if (approvedBy !== undefined) return take('approved-explicitly', `approved explicitly by baseline ${baseline.id} (${approvedBy})`);
  if (baseline.classifications !== undefined && !baseline.classifications.includes(update.classification)) {
    return leave('classification', `classification ${update.classification} is not in ${baseline.classifications.join(', ')}`);
  }
  if (baseline.severities !== undefined && !baseline.severities.includes(update.severity ?? 'none')) {
    return leave('severity', `severity ${update.severity ?? 'none'} is not in ${baseline.severities.join(', ')}`);
  }
  const from = eligibleFrom(update, baseline.autoApproveAfterDays, baseline.anchor);
  if (now.getTime() < from.getTime()) {
    return leave('not-yet-eligible', `eligible from ${from.toISOString()} (${baseline.autoApproveAfterDays} days after the ${baseline.anchor} release)`);
  }
  return take('eligible', `eligible since ${from.toISOString()}`);
}
