/**
 * The project's error vocabulary. Every error that leaves a layer is an `AppError` with a stable `code`, so the
 * CLI can map it to an exit code and the API to an HTTP status without string matching.
 */
export type ErrorCode =
  | 'config-invalid'
  | 'input-invalid'
  | 'not-found'
  | 'conflict'
  | 'forbidden'
  | 'prerequisite-missing'
  | 'internal';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** One problem found while loading configuration: where it is, what was expected, what was given. */
export interface ConfigIssue {
  /** Path relative to the config directory, e.g. `inventory/acme.yaml`. */
  file: string;
  /** 1-based line in the file where the problem is, when it can be located. */
  line?: number;
  /** Dotted path inside the document, e.g. `hosts[3].transport`; empty for the whole file. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  const path = issue.path === '' ? '' : ` ${issue.path}:`;
  return `${where}:${path} ${issue.message}`;
}

export class ConfigError extends AppError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const errors = issues.filter((i) => i.severity === 'error');
    super(
      'config-invalid',
      `configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}:\n` +
        errors.map((i) => `  ${formatConfigIssue(i)}`).join('\n'),
      { details: issues },
    );
    this.issues = issues;
  }
}

export class PrerequisiteMissingError extends AppError {
  constructor(message: string) {
    super('prerequisite-missing', message);
  }
}

/** Normalises anything thrown (libraries sometimes reject with strings or plain objects) into an Error. */
export function coerceError(value: unknown): Error & { code?: unknown } {
  if (value instanceof Error) return value;
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const error = new Error(String((value as { message: unknown }).message));
    return Object.assign(error, value);
  }
  return new Error(typeof value === 'string' ? value : JSON.stringify(value));
}
