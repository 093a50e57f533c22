/** Tells CSAF from OSV by shape, for inputs that arrive without a declared format (drop folder, POST body). */
import type { DocumentLimits } from './limits.js';
import type { Advisory } from './model.js';
import { parseCsaf } from './csaf/parse.js';
import { parseOsv } from './osv/parse.js';
import { AdvisoryRefusedError } from './problems.js';
import { parseJsonWithinLimits } from './safe-json.js';

export interface ParseAdvisoryOptions {
  source?: string;
  fileName?: string;
  limits?: Partial<DocumentLimits>;
  toleratedTests?: Readonly<Record<string, readonly string[]>>;
}

export function parseAdvisory(input: Uint8Array | string, options: ParseAdvisoryOptions = {}): Advisory {
  const source = options.source ?? options.fileName ?? 'advisory';
  const json = parseJsonWithinLimits(input, source, options.limits);
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    if ('document' in json) return parseCsaf(json, { ...options, source });
    if ('id' in json && 'modified' in json) return parseOsv(json, { source });
  }
  throw new AdvisoryRefusedError(source, [{ path: '$', message: 'neither a CSAF 2.0 document (no "document") nor an OSV record (no "id" and "modified")' }]);
}
