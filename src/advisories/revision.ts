/**
 * Which copy of an advisory wins. Identity is publisher + tracking id; between two copies the higher
 * `tracking.version` wins, and on equal versions the later `current_release_date` (Red Hat regenerates files without
 * always bumping the version). An older copy that arrives late is ignored. OSV records compare by `modified`.
 */
import { compareCsafVersions } from './csaf/revision-numbers.js';
import type { AdvisoryFormat, AdvisoryRevision } from './model.js';

export type RevisionDecision = 'store-new' | 'replace' | 'ignore-older' | 'ignore-same';

export function decideRevision(format: AdvisoryFormat, stored: AdvisoryRevision | undefined, incoming: AdvisoryRevision): RevisionDecision {
  if (stored === undefined) return 'store-new';
  const byDate = Math.sign(Date.parse(incoming.releasedAt) - Date.parse(stored.releasedAt));
  const byVersion = format === 'csaf' ? (compareCsafVersions(incoming.version, stored.version) ?? 0) : 0;
  const order = byVersion !== 0 ? byVersion : byDate;
  if (order > 0) return 'replace';
  if (order < 0) return 'ignore-older';
  return 'ignore-same';
}
