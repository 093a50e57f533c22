import type { InstalledPackage } from './output-protocol.js';

/** What a scan stores as the host's inventory: the matcher compares advisories against it. */
export interface ScanResult {
  scannedAt: string;
  os: { id: string | null; name: string | null; version: string | null };
  kernel: string | null;
  arch: string | null;
  bootTime: string | null;
  /** Packages held back / locked against updates. */
  held: string[];
  packages: InstalledPackage[];
}

export function buildScanResult(facts: ReadonlyMap<string, readonly string[]>, packages: readonly InstalledPackage[], scannedAt: Date): ScanResult {
  const one = (key: string): string | null => {
    const value = facts.get(key)?.at(-1);
    return value === undefined || value === '' ? null : value;
  };
  return {
    scannedAt: scannedAt.toISOString(),
    os: { id: one('os_id'), name: one('os_name'), version: one('os_version') },
    kernel: one('kernel'),
    arch: one('arch'),
    bootTime: one('boot_time'),
    held: [...(facts.get('held') ?? [])].filter((h) => h !== ''),
    packages: [...packages].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch)),
  };
}
