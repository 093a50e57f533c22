/**
 * Version ranges as advisories write them: canonical `vers:` strings (`vers:npm/>=2.0.0|<5.0.0`), the `vls` form CSAF
 * tolerates (`<=1.14.0`, `>= 6.02 | <= 6.05`), and the free text ICS vendors publish (`All versions < V9.1`,
 * `vers:all/<V3.1.4`). Whatever cannot be read into comparable constraints becomes `unparsed`, and testing a version
 * against it answers `needs-review`: an unreadable range must never make a host look safe.
 */
import { comparatorForScheme, type CompareVersions } from './schemes.js';
import { VersionSyntaxError } from './version-syntax-error.js';

export type Comparator = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface VersionConstraint {
  comparator: Comparator;
  version: string;
}

export type VersionRange =
  | { kind: 'all'; text: string }
  | { kind: 'constraints'; text: string; scheme: string; constraints: VersionConstraint[] }
  | { kind: 'unparsed'; text: string; reason: string };

export type RangeVerdict = { verdict: 'in-range' } | { verdict: 'out-of-range' } | { verdict: 'needs-review'; reason: string };

const VERS_PREFIX = /^vers:([A-Za-z0-9.+-]+)\/(.*)$/s;
const ALL_VERSIONS = /^all\s+versions\b\s*(?::\s*)?/i;
const CONSTRAINT_TOKEN = /^(<=|>=|!=|<|>|=)?\s*([^\s<>=!|]+)\s*/;
const MAX_RANGE_LENGTH = 1024;

/**
 * Parses a range. `defaultScheme` is the ordering for text without a `vers:` scheme (for CSAF vls ranges the caller
 * usually knows nothing better than `generic`, dotted numbers).
 */
export function parseVersionRange(text: string, defaultScheme = 'generic'): VersionRange {
  const trimmed = text.trim();
  if (trimmed.length > MAX_RANGE_LENGTH) return { kind: 'unparsed', text, reason: `the range is longer than ${MAX_RANGE_LENGTH} characters` };
  const vers = VERS_PREFIX.exec(trimmed);
  if (vers !== null) {
    const scheme = (vers[1] as string).toLowerCase();
    const body = (vers[2] as string).trim();
    if (body === '*') return { kind: 'all', text };
    // `vers:all` only allows `*`, but ICS vendors write `vers:all/<V3.1.4`; read it as dotted numbers.
    return parseConstraints(text, body, scheme === 'all' ? 'generic' : scheme, true);
  }
  if (/^vers:/i.test(trimmed)) return { kind: 'unparsed', text, reason: 'it starts with "vers:" but has no "<scheme>/" after it' };
  if (trimmed === '*' || /^all\s+versions$/i.test(trimmed)) return { kind: 'all', text };
  const withoutAll = trimmed.replace(ALL_VERSIONS, '');
  return parseConstraints(text, withoutAll, defaultScheme, false);
}

function parseConstraints(text: string, body: string, scheme: string, percentEncoded: boolean): VersionRange {
  const compare = comparatorForScheme(scheme);
  if (compare === undefined) return { kind: 'unparsed', text, reason: `there is no ordering for the version scheme "${scheme}"` };
  if (body === '') return { kind: 'unparsed', text, reason: 'the range has no constraints' };
  const constraints: VersionConstraint[] = [];
  for (const rawPart of body.split('|')) {
    const part = rawPart.trim();
    if (part === '') return { kind: 'unparsed', text, reason: 'the range has an empty constraint between "|"' };
    const parsed = parseConstraintPart(part, percentEncoded);
    if (typeof parsed === 'string') return { kind: 'unparsed', text, reason: parsed };
    constraints.push(...parsed);
  }
  for (const constraint of constraints) {
    try {
      compare(constraint.version, constraint.version);
    } catch (error) {
      if (error instanceof VersionSyntaxError) return { kind: 'unparsed', text, reason: error.message };
      throw error;
    }
  }
  return { kind: 'constraints', text, scheme, constraints };
}

/** One `|`-separated part: a bare version, or one or more comparator+version pairs (`>=V2022.4<V2023.1`). */
function parseConstraintPart(part: string, percentEncoded: boolean): VersionConstraint[] | string {
  const found: VersionConstraint[] = [];
  let rest = part;
  let bare = 0;
  while (rest !== '') {
    const match = CONSTRAINT_TOKEN.exec(rest);
    if (match === null) return `cannot read a version constraint at "${rest}"`;
    const comparator = (match[1] ?? '=') as Comparator;
    if (match[1] === undefined) bare++;
    let version = match[2] as string;
    if (percentEncoded) {
      try {
        version = decodeURIComponent(version);
      } catch {
        return `"${version}" has a broken percent-encoding`;
      }
    }
    if (version === '*') return '"*" must stand alone';
    found.push({ comparator, version });
    rest = rest.slice(match[0].length);
  }
  // Two bare words ("V15 Update 2") are prose, not a list of versions.
  if (bare > 0 && found.length > 1) return `"${part}" is not a version constraint`;
  return found;
}

/** Tests a version against a range with the vers algorithm. Unreadable ranges or versions answer `needs-review`. */
export function testVersionInRange(range: VersionRange, version: string): RangeVerdict {
  if (range.kind === 'all') return { verdict: 'in-range' };
  if (range.kind === 'unparsed') return { verdict: 'needs-review', reason: `the range "${range.text}" cannot be read: ${range.reason}` };
  const compare = comparatorForScheme(range.scheme);
  if (compare === undefined) return { verdict: 'needs-review', reason: `there is no ordering for the version scheme "${range.scheme}"` };
  try {
    return containsVersion(range.constraints, version, compare) ? { verdict: 'in-range' } : { verdict: 'out-of-range' };
  } catch (error) {
    if (error instanceof VersionSyntaxError) return { verdict: 'needs-review', reason: error.message };
    throw error;
  }
}

/** The containment algorithm of the vers specification ("Checking if a version is contained within a range"). */
function containsVersion(all: VersionConstraint[], version: string, compare: CompareVersions): boolean {
  for (const constraint of all) {
    const hasEquals = constraint.comparator === '=' || constraint.comparator === '!=' || constraint.comparator === '<=' || constraint.comparator === '>=';
    if (hasEquals && compare(version, constraint.version) === 0) return constraint.comparator !== '!=';
  }
  const bounds = all
    .filter((c) => c.comparator !== '=' && c.comparator !== '!=')
    .sort((a, b) => compare(a.version, b.version));
  if (bounds.length === 0) return false;
  const isLower = (c: VersionConstraint) => c.comparator === '>' || c.comparator === '>=';
  const isUpper = (c: VersionConstraint) => c.comparator === '<' || c.comparator === '<=';
  if (bounds.length === 1) {
    const only = bounds[0] as VersionConstraint;
    const order = compare(version, only.version);
    return isUpper(only) ? order < 0 : order > 0;
  }
  for (let i = 0; i < bounds.length - 1; i++) {
    const current = bounds[i] as VersionConstraint;
    const next = bounds[i + 1] as VersionConstraint;
    if (i === 0 && isUpper(current) && compare(version, current.version) < 0) return true;
    if (i === bounds.length - 2 && isLower(next) && compare(version, next.version) > 0) return true;
    if (isLower(current) && isUpper(next) && compare(version, current.version) > 0 && compare(version, next.version) < 0) return true;
  }
  return false;
}
