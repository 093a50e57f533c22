/**
 * Is this installed version inside an OSV `affected[]` entry? The spec's algorithm (events sorted by version;
 * introduced opens, fixed closes, last_affected closes after itself; limit bounds GIT ranges), with the ecosystem's
 * own ordering. An ecosystem we cannot order, or a GIT-only range, answers `needs-review`.
 */
import { comparatorForScheme, type CompareVersions, type RangeVerdict, VersionSyntaxError } from '../../domain/versions/index.js';
import type { Finding, OsvRange } from '../model.js';

const ECOSYSTEM_SCHEMES: Readonly<Record<string, string>> = {
  Debian: 'deb',
  Ubuntu: 'deb',
  'Red Hat': 'rpm',
  AlmaLinux: 'rpm',
  'Rocky Linux': 'rpm',
  SUSE: 'rpm',
  openSUSE: 'rpm',
  Mageia: 'rpm',
  openEuler: 'rpm',
  npm: 'semver',
  'crates.io': 'semver',
  Go: 'semver',
};

/** The version scheme of an OSV ecosystem (`Debian:12` → `deb`); undefined when we have no verified ordering (Alpine, PyPI, Maven, …). */
export function schemeForEcosystem(ecosystem: string): string | undefined {
  return ECOSYSTEM_SCHEMES[ecosystem.split(':')[0] as string];
}

type Event = OsvRange['events'][number];
const eventVersion = (event: Event): string => Object.values(event)[0] as string;

function compareEventVersions(compare: CompareVersions, a: string, b: string): number {
  if (a === '0') return b === '0' ? 0 : -1; // "0" means "before every version"
  if (b === '0') return 1;
  return compare(a, b);
}

function walkRange(range: OsvRange, version: string, compare: CompareVersions): boolean {
  const limits = range.events.filter((e): e is { limit: string } => 'limit' in e).map((e) => e.limit);
  if (limits.length > 0 && !limits.some((limit) => limit === '*' || compare(version, limit) < 0)) return false;
  const events = range.events.filter((e) => !('limit' in e)).sort((a, b) => compareEventVersions(compare, eventVersion(a), eventVersion(b)));
  let vulnerable = false;
  for (const event of events) {
    const at = compareEventVersions(compare, version, eventVersion(event));
    if ('introduced' in event && (eventVersion(event) === '0' || at >= 0)) vulnerable = true;
    else if ('fixed' in event && at >= 0) vulnerable = false;
    else if ('last_affected' in event && at > 0) vulnerable = false;
  }
  return vulnerable;
}

export function osvFindingContains(finding: Pick<Finding, 'ecosystem' | 'ranges' | 'versions'>, version: string): RangeVerdict {
  if (finding.versions.includes(version)) return { verdict: 'in-range' };
  if (finding.ranges.length === 0) {
    return finding.versions.length > 0 ? { verdict: 'out-of-range' } : { verdict: 'needs-review', reason: 'the record lists neither ranges nor versions' };
  }
  let review: string | undefined;
  for (const range of finding.ranges) {
    if (range.type === 'GIT') {
      review ??= `the range is given as commits of ${range.repo ?? 'a repository'}, which cannot be compared with an installed version`;
      continue;
    }
    const scheme = range.type === 'SEMVER' ? 'semver' : schemeForEcosystem(finding.ecosystem ?? '');
    const compare = scheme === undefined ? undefined : comparatorForScheme(scheme);
    if (compare === undefined) {
      review ??= `there is no verified version ordering for the ecosystem "${finding.ecosystem ?? 'unknown'}"`;
      continue;
    }
    try {
      if (walkRange(range, version, compare)) return { verdict: 'in-range' };
    } catch (error) {
      if (!(error instanceof VersionSyntaxError)) throw error;
      review ??= error.message;
    }
  }
  return review === undefined ? { verdict: 'out-of-range' } : { verdict: 'needs-review', reason: review };
}
