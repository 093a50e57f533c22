/** CSAF version numbers: integer versioning (`3`) or semantic versioning (`1.0.0`), never both in one document. */
import { compareSemvers } from '../../domain/versions/index.js';

export function isIntegerVersion(version: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(version);
}

/** Orders two version numbers of the same kind; undefined when one is an integer and the other semantic. */
export function compareCsafVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  const aInteger = isIntegerVersion(a);
  if (aInteger !== isIntegerVersion(b)) return undefined;
  if (aInteger) {
    if (a.length !== b.length) return a.length > b.length ? 1 : -1;
    return a === b ? 0 : a > b ? 1 : -1;
  }
  return compareSemvers(a, b);
}

/** The version without build metadata, and without the pre-release part when asked (6.1.16 for drafts). */
export function stripVersionSuffixes(version: string, dropPrerelease: boolean): string {
  const withoutBuild = version.split('+')[0] as string;
  return dropPrerelease ? (withoutBuild.split('-')[0] as string) : withoutBuild;
}
