import { AdvisoryRefusedError } from '../problems.js';
import type { IngestInput } from './ingest-document.js';
import { refused, type IngestResult } from './result.js';

/** A document read from a source, or the refusal of one that could not be read. */
export type SourceItem = { input: IngestInput } | { failed: IngestResult };

export function failure(source: string, error: unknown): IngestResult {
  if (error instanceof AdvisoryRefusedError) return refused(source, error.problems);
  return refused(source, [{ path: '$', message: (error as Error).message }]);
}
