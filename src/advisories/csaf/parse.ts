/**
 * CSAF 2.0 in, normalised advisory out, or a refusal listing every problem: limits, schema, mandatory tests, unsafe
 * package identifiers. A refused document yields nothing partial.
 */
import type { DocumentLimits } from '../limits.js';
import type { Advisory } from '../model.js';
import { AdvisoryRefusedError } from '../problems.js';
import { checkedValue, parseJsonWithinLimits } from '../safe-json.js';
import { checkCsafFileName } from './file-name.js';
import { runMandatoryTests } from './mandatory-tests.js';
import { normaliseCsaf } from './normalise.js';
import { unsafePackageIdentifiers } from './package-checks.js';
import { collectProductDefinitions } from './product-tree.js';
import { csafDocumentSchema } from './schema.js';
import { zodProblems } from '../zod-problems.js';

/**
 * Mandatory tests a known publisher fails in documents that are otherwise sound, reported as warnings for that
 * publisher only. Red Hat's per-CVE VEX files keep `tracking.version` at "1" while adding revisions (6.1.16), e.g.
 * CVE-2023-0044; refusing them would drop every Red Hat VEX update.
 */
export const DEFAULT_TOLERATED_TESTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'https://www.redhat.com': Object.freeze(['6.1.16']),
});

export interface CsafParseOptions {
  /** Names the input in messages (a path or URL). */
  source?: string;
  /** The file name, when the document came from a file or a provider directory; checked against §5.1. */
  fileName?: string;
  limits?: Partial<DocumentLimits>;
  /** Publisher namespace → mandatory test numbers reported as warnings instead of refusing. */
  toleratedTests?: Readonly<Record<string, readonly string[]>>;
}

/** Parses and validates a CSAF 2.0 document from bytes, text or an already parsed JSON value. */
export function parseCsaf(input: Uint8Array | string | object, options: CsafParseOptions = {}): Advisory {
  const source = options.source ?? options.fileName ?? 'CSAF document';
  const json = input instanceof Uint8Array || typeof input === 'string' ? parseJsonWithinLimits(input, source, options.limits) : checkedValue(input, source, options.limits);
  const parsed = csafDocumentSchema.safeParse(json);
  if (!parsed.success) throw new AdvisoryRefusedError(source, zodProblems(parsed.error, json));
  const document = parsed.data;

  const tolerated = new Set((options.toleratedTests ?? DEFAULT_TOLERATED_TESTS)[document.document.publisher.namespace] ?? []);
  const found = [
    ...runMandatoryTests(document),
    ...(options.fileName === undefined ? [] : checkCsafFileName(options.fileName, document.document.tracking.id)),
    ...unsafePackageIdentifiers(collectProductDefinitions(document.product_tree)),
  ];
  const errors = found.filter((p) => p.test === undefined || !tolerated.has(p.test));
  if (errors.length > 0) throw new AdvisoryRefusedError(source, errors);

  const advisory = normaliseCsaf(document);
  advisory.warnings = found.filter((p) => p.test !== undefined && tolerated.has(p.test)).map((p) => ({ ...p, message: `${p.message} (tolerated for this publisher)` }));
  return advisory;
}
