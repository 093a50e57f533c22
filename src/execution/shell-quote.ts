import { AppError } from '../errors.js';

/**
 * Quoting for values that come from outside (package names, versions, playbook parameters) on their way into a
 * remote shell. Every value becomes exactly one word whose content the shell does not interpret.
 */

/** Characters PowerShell treats as a single quote inside a single-quoted string (it accepts the typographic ones). */
const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

function assertNoNul(value: string, shell: string): void {
  // A NUL byte ends a C string: the shell would silently see a shorter word than the caller meant.
  if (value.includes('\0')) {
    throw new AppError('input-invalid', `cannot quote a value for ${shell}: it contains a NUL byte (at index ${value.indexOf('\0')}); remove it from the input`);
  }
}

/**
 * POSIX sh word: wraps the value in single quotes, inside which nothing is special; an embedded `'` is closed,
 * escaped and reopened (`'\''`). Newlines, `$`, backticks, `;` and non-ASCII text pass through literally.
 */
export function quotePosix(value: string): string {
  assertNoNul(value, 'a POSIX shell');
  // Plain words stay readable in logs; `=` is not plain because `A=b cmd` would turn the word into an assignment.
  if (value !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Joins a command and its arguments into one POSIX command line, every element quoted. */
export function posixCommandLine(argv: readonly string[]): string {
  return argv.map(quotePosix).join(' ');
}

/**
 * PowerShell verbatim string: single quotes, inside which only a quote is special and is escaped by doubling it.
 * PowerShell also closes a string on the typographic quotes ‘ ’ ‚ ‛, so those are doubled too.
 */
export function quotePowerShell(value: string): string {
  assertNoNul(value, 'PowerShell');
  return `'${value.replace(POWERSHELL_SINGLE_QUOTES, (quote) => quote + quote)}'`;
}

/** A PowerShell command line that calls `command` with each argument as one verbatim string (`& 'cmd' 'a' 'b'`). */
export function powerShellCommandLine(argv: readonly string[]): string {
  return `& ${argv.map(quotePowerShell).join(' ')}`;
}
