import type { AdvisoryProblem } from '../problems.js';

export type IngestStatus = 'stored' | 'updated' | 'ignored-older' | 'refused';

/** One line of `redback advisories ingest --json`. `ignored-older` also covers the same revision arriving again. */
export interface IngestResult {
  source: string;
  status: IngestStatus;
  /** Storage id (no `:`); null when refused before an identity was known. */
  id: string | null;
  /** The incoming document's revision (CSAF tracking.version, OSV modified). */
  revision: string | null;
  errors: Array<{ test: string | null; path: string; message: string }>;
  /** What happened after storing: exposure and actions, for people (not part of the --json contract). */
  notes?: string[];
}

export function refused(source: string, problems: readonly AdvisoryProblem[]): IngestResult {
  return { source, status: 'refused', id: null, revision: null, errors: problems.map((p) => ({ test: p.test ?? null, path: p.path, message: p.message })) };
}
