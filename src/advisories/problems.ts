import { AppError } from '../errors.js';

/** One reason a document was refused: the CSAF test number where one applies, the JSON path, and what is wrong. */
export interface AdvisoryProblem {
  /** CSAF test number such as `6.1.16`, or `5.1` for the file-name rule; absent for limits, schema and safety problems. */
  test?: string;
  /** JSONPath into the document, e.g. `$.vulnerabilities[0].product_status.known_affected[1]`; `$` for the whole input. */
  path: string;
  message: string;
}

/**
 * An advisory document refused as a whole. Nothing from a refused document may be stored or matched: callers either
 * get a complete normalised advisory or this error.
 */
export class AdvisoryRefusedError extends AppError {
  readonly source: string;
  readonly problems: readonly AdvisoryProblem[];

  constructor(source: string, problems: readonly AdvisoryProblem[]) {
    const shown = problems.slice(0, 10).map((p) => `  ${p.test === undefined ? '' : `[${p.test}] `}${p.path}: ${p.message}`);
    const more = problems.length > 10 ? [`  … and ${problems.length - 10} more`] : [];
    super('input-invalid', `advisory ${source} refused (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${[...shown, ...more].join('\n')}`, {
      details: problems,
    });
    this.source = source;
    this.problems = problems;
  }
}

/** Builds a JSONPath from property names and array indices. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let path = '$';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}
