/**
 * The lines a playbook prints for the runner to read (everything else in the output is for people):
 *
 *   redback:fact KEY VALUE        a fact for the scan result (os_id, os_name, os_version, kernel, arch, boot_time, held)
 *   redback:plan NAME FROM TO     a change check mode would make; "-" for "not installed"
 *   redback:wua {json}            the Windows Update Agent script's report (see windows-*.yaml)
 *
 * and `packages_query` prints one installed package per line: NAME<TAB>VERSION<TAB>ARCH<TAB>SOURCE.
 */

export interface InstalledPackage {
  name: string;
  version: string;
  arch: string;
  /** The source package (Debian) or source RPM name; empty when the package manager has none. */
  source: string;
}

/** A package whose installed version differs: `before` null = newly installed, `after` null = removed. */
export interface PackageChange {
  name: string;
  arch?: string;
  before: string | null;
  after: string | null;
}

export function parsePackageList(stdout: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const line of stdout.split('\n')) {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed === '') continue;
    const [name = '', version = '', arch = '', source = ''] = trimmed.split('\t');
    if (name === '' || version === '') continue;
    packages.push({ name, version, arch, source });
  }
  return packages;
}

export function diffPackages(before: readonly InstalledPackage[], after: readonly InstalledPackage[]): PackageChange[] {
  const key = (p: InstalledPackage): string => `${p.name}\t${p.arch}`;
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  const changes: PackageChange[] = [];
  for (const [k, p] of now) {
    const was = old.get(k);
    if (was === undefined) changes.push({ name: p.name, arch: p.arch, before: null, after: p.version });
    else if (was.version !== p.version) changes.push({ name: p.name, arch: p.arch, before: was.version, after: p.version });
  }
  for (const [k, p] of old) {
    if (!now.has(k)) changes.push({ name: p.name, arch: p.arch, before: p.version, after: null });
  }
  return changes.sort((a, b) => a.name.localeCompare(b.name) || (a.arch ?? '').localeCompare(b.arch ?? ''));
}

const PLAN_LINE = /^redback:plan (\S+) (\S+) (\S+)\s*$/;

export function parsePlanLines(stdout: string): PackageChange[] {
  const changes: PackageChange[] = [];
  for (const line of stdout.split('\n')) {
    const match = PLAN_LINE.exec(line.replace(/\r$/, ''));
    if (match === null) continue;
    const [, name = '', before = '-', after = '-'] = match;
    changes.push({ name, before: before === '-' ? null : before, after: after === '-' ? null : after });
  }
  return changes;
}

const FACT_LINE = /^redback:fact ([a-z_]+) ?(.*)$/;

export function parseFacts(stdout: string): Map<string, string[]> {
  const facts = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const match = FACT_LINE.exec(line.replace(/\r$/, ''));
    if (match === null) continue;
    const [, key = '', value = ''] = match;
    const list = facts.get(key) ?? [];
    list.push(value.trim());
    facts.set(key, list);
  }
  return facts;
}

export interface WuaUpdate {
  kb: string;
  title: string;
  /** planned, skipped, succeeded, succeeded-with-errors, failed, aborted, not-started, in-progress */
  result: string;
  hresult: number;
  rebootRequired: boolean;
  reason?: string;
}

export interface WuaReport {
  mode: 'check' | 'install';
  searched: number;
  updates: WuaUpdate[];
  rebootRequired: boolean;
}

/** The last `redback:wua` line of a step's output, or undefined when there is none or it is not the expected shape. */
export function parseWuaReport(stdout: string): WuaReport | undefined {
  const lines = stdout.split('\n').filter((l) => l.startsWith('redback:wua '));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(last.slice('redback:wua '.length));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const raw = data as Record<string, unknown>;
  // ConvertTo-Json writes a one-element array as a bare object.
  const list = Array.isArray(raw.updates) ? raw.updates : raw.updates === undefined || raw.updates === null ? [] : [raw.updates];
  const updates: WuaUpdate[] = list
    .filter((u): u is Record<string, unknown> => typeof u === 'object' && u !== null)
    .map((u) => ({
      kb: String(u.kb ?? ''),
      title: String(u.title ?? ''),
      result: String(u.result ?? ''),
      hresult: typeof u.hresult === 'number' ? u.hresult : 0,
      rebootRequired: u.rebootRequired === true,
      ...(typeof u.reason === 'string' ? { reason: u.reason } : {}),
    }));
  return {
    mode: raw.mode === 'check' ? 'check' : 'install',
    searched: typeof raw.searched === 'number' ? raw.searched : updates.length,
    updates,
    rebootRequired: raw.rebootRequired === true,
  };
}

/** Windows updates as package changes: planned ones in check mode, installed ones otherwise. */
export function wuaPackageChanges(report: WuaReport): PackageChange[] {
  const wanted = report.mode === 'check' ? ['planned'] : ['succeeded', 'succeeded-with-errors'];
  return report.updates
    .filter((u) => wanted.includes(u.result))
    .map((u) => ({ name: u.kb === '' ? u.title : u.kb, before: null, after: report.mode === 'check' ? 'planned' : 'installed' }));
}
