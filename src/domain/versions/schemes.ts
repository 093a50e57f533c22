/**
 * Which ordering a version scheme uses. Names follow the `vers` specification (`deb`, `rpm`, `semver`, `npm`,
 * `cargo`, `golang`, `generic`); an unknown scheme has no comparator, and its ranges go to human review.
 */
import { compareDebianVersions } from './debian.js';
import { compareGenericVersions } from './generic.js';
import { compareRpmVersions } from './rpm.js';
import { compareSemvers } from './semver.js';

export type CompareVersions = (a: string, b: string) => -1 | 0 | 1;

const COMPARATORS: ReadonlyMap<string, CompareVersions> = new Map<string, CompareVersions>([
  ['deb', compareDebianVersions],
  ['rpm', compareRpmVersions],
  ['semver', compareSemvers],
  ['npm', compareSemvers],
  ['cargo', compareSemvers],
  ['golang', compareSemvers],
  ['generic', compareGenericVersions],
]);

export function comparatorForScheme(scheme: string): CompareVersions | undefined {
  return COMPARATORS.get(scheme.toLowerCase());
}

export function knownVersionSchemes(): string[] {
  return [...COMPARATORS.keys()];
}
