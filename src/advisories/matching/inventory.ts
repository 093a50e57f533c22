/**
 * The installed-package inventory of hosts, indexed by package name and by source package name, so that matching an
 * advisory touches only the hosts that have one of its packages, never every host for every advisory.
 */
import { type Cpe, parseCpe } from '../identifiers/cpe.js';

export interface InstalledPackage {
  /** Binary package name as the package manager reports it (`libssl3`, `kernel-core`). */
  name: string;
  /** `[epoch:]version[-release]` for rpm, the dpkg `Version` for deb. */
  version: string;
  arch?: string;
  /** Debian/Ubuntu: dpkg `source:Package` (OSV names source packages). */
  sourceName?: string;
  /** Debian/Ubuntu: dpkg `source:Version`; differs from `version` for binNMUs (`+b1`). */
  sourceVersion?: string;
}

export interface HostInventory {
  hostId: string;
  /** How the OS packages are versioned. */
  packageFormat: 'deb' | 'rpm' | 'apk';
  /** OSV ecosystem of the OS release, e.g. `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`. */
  osvEcosystem?: string;
  /** Platform CPEs of the OS and its enabled repositories (Red Hat: one per BaseOS / AppStream / EUS stream). */
  platformCpes?: string[];
  packages: InstalledPackage[];
}

export interface IndexedPackage {
  host: HostInventory;
  hostCpes: Cpe[];
  pkg: InstalledPackage;
}

export interface InventoryIndex {
  hostCount: number;
  byName: ReadonlyMap<string, readonly IndexedPackage[]>;
  bySourceName: ReadonlyMap<string, readonly IndexedPackage[]>;
}

function append(map: Map<string, IndexedPackage[]>, key: string, entry: IndexedPackage): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else list.push(entry);
}

export function indexInventory(hosts: readonly HostInventory[]): InventoryIndex {
  const byName = new Map<string, IndexedPackage[]>();
  const bySourceName = new Map<string, IndexedPackage[]>();
  for (const host of hosts) {
    const hostCpes = (host.platformCpes ?? []).flatMap((text) => {
      const cpe = parseCpe(text);
      return cpe === undefined ? [] : [cpe];
    });
    for (const pkg of host.packages) {
      const entry = { host, hostCpes, pkg };
      append(byName, pkg.name, entry);
      append(bySourceName, pkg.sourceName ?? pkg.name, entry);
    }
  }
  return { hostCount: hosts.length, byName, bySourceName };
}
