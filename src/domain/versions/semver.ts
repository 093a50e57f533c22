/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), for language ecosystems (npm, crates.io, Go, OSV `SEMVER`
 * ranges). Build metadata is ignored; a pre-release sorts below its release; a leading `v` is tolerated because Go
 * module versions carry one.
 */
import { VersionSyntaxError } from './version-syntax-error.js';

export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
}

const NUMBER = '0|[1-9]\\d*';
const IDENTIFIER = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_PATTERN = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);

export function parseSemver(text: string): SemVer {
  const match = SEMVER_PATTERN.exec(text.trim());
  if (match === null) {
    throw new VersionSyntaxError('semver', text, 'expected MAJOR.MINOR.PATCH with an optional -prerelease and +build, e.g. 1.4.2-rc.1');
  }
  const [, major = '0', minor = '0', patch = '0', prerelease] = match;
  return { major, minor, patch, prerelease: prerelease === undefined ? [] : prerelease.split('.') };
}

/** Compares two digit strings without leading zeros by value, so numbers beyond 2^53 still order correctly. */
function compareNumeric(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length > b.length ? 1 : -1;
  if (a === b) return 0;
  return a > b ? 1 : -1;
}

function compareIdentifiers(a: string, b: string): -1 | 0 | 1 {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return compareNumeric(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export function compareParsedSemvers(a: SemVer, b: SemVer): -1 | 0 | 1 {
  const core = compareNumeric(a.major, b.major) || compareNumeric(a.minor, b.minor) || compareNumeric(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    if (a.prerelease.length === b.prerelease.length) return 0;
    return a.prerelease.length === 0 ? 1 : -1;
  }
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const result = compareIdentifiers(a.prerelease[i] as string, b.prerelease[i] as string);
    if (result !== 0) return result;
  }
  if (a.prerelease.length === b.prerelease.length) return 0;
  return a.prerelease.length > b.prerelease.length ? 1 : -1;
}

export function compareSemvers(a: string, b: string): -1 | 0 | 1 {
  return compareParsedSemvers(parseSemver(a), parseSemver(b));
}
