/**
 * A baseline says which of the updates a host's scan found a regular batch takes. It is set per customer (no
 * groups) or per group of hosts in `schedules/*.yaml`.
 */
export type ReleaseAnchor = 'first' | 'latest';

export interface PackageHold {
  /** A package name or a pattern with `*`. */
  package: string;
  /** The version the package stays at. */
  version: string;
}

export interface Baseline {
  id: string;
  /** Host groups it applies to; empty = every host of the customer that no group baseline covers. */
  groups: readonly string[];
  /** Classifications taken (security, bugfix, enhancement, ...); undefined = all. */
  classifications?: readonly string[];
  /** Severities taken (critical, important, moderate, low, none); undefined = all. */
  severities?: readonly string[];
  /** Days after the vendor's release before an update is taken; 0 = at once. */
  autoApproveAfterDays: number;
  /** Which release the delay counts from: the first revision, or the latest (a revision restarts the delay). */
  anchor: ReleaseAnchor;
  /** Taken regardless of filters and delay (a rejection or a hold still wins). */
  approved: readonly string[];
  /** Never taken; wins over `approved`. */
  rejected: readonly string[];
  holds: readonly PackageHold[];
}

/** An update a host's scan found available. */
export interface AvailableUpdate {
  name: string;
  arch: string;
  /** Installed version; null when the update installs a new package. */
  from: string | null;
  to: string;
  classification: string;
  severity: string | null;
  /** The vendor's first release of this update, ISO 8601 UTC. */
  releasedAt: string;
  /** The vendor's latest revision of it, if it was revised. */
  revisedAt: string | null;
}

/** The group baseline of the first group the host is in, else the customer's default baseline, else none. */
export function baselineForHost(baselines: readonly Baseline[], hostGroups: readonly string[]): Baseline | undefined {
  return baselines.find((b) => b.groups.some((g) => hostGroups.includes(g))) ?? baselines.find((b) => b.groups.length === 0);
}

/** `name` matches `pattern` exactly, or where the pattern has `*`, any run of characters. */
export function matchesPackage(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
  return regex.test(name);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
