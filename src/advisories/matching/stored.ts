/**
 * Matching against the host inventory stored in Redis (src/store/host-inventory.ts). Only the hosts that have one
 * of the advisory's packages are read, through the store's package-name and source-name indexes, and only those
 * packages of them: the cost grows with the number of affected packages, never with hosts x advisories. The hosts
 * found are handed to the in-memory matcher, so both give the same answers.
 */
import type { HostInventory as ScannedInventory, HostInventoryStore, InventoryPackage } from '../../store/index.js';
import type { Advisory, Product } from '../model.js';
import { schemeForEcosystem } from '../osv/evaluate.js';
import { hostFromScan } from './from-scan.js';
import { indexInventory, type HostInventory } from './inventory.js';
import { matchAdvisory, type AdvisoryMatch } from './match.js';

/** The package names (binary) and source names an advisory can match on. */
export function packageLookups(advisory: Advisory): { names: Set<string>; sources: Set<string> } {
  const names = new Set<string>();
  const sources = new Set<string>();
  for (const finding of advisory.findings) {
    if (advisory.format === 'csaf') {
      const component: Product = finding.product.relationship?.component ?? finding.product;
      const name = component.nevra?.name ?? (component.purl?.type === 'rpm' ? component.purl.name : undefined);
      if (name !== undefined) names.add(name);
      continue;
    }
    const ecosystem = finding.ecosystem;
    const osPackages = (ecosystem !== undefined && schemeForEcosystem(ecosystem) === 'deb') || ecosystem?.startsWith('Alpine') === true;
    (osPackages ? sources : names).add(finding.product.name);
  }
  return { names, sources };
}

/** Caches host OS facts across the advisories of one matching session (they do not change within it). */
export interface StoredMatchSession {
  inventory: HostInventoryStore;
  osCache: Map<string, ScannedInventory['os']>;
}

export function storedMatchSession(inventory: HostInventoryStore): StoredMatchSession {
  return { inventory, osCache: new Map() };
}

export async function matchAgainstStore(advisory: Advisory, session: StoredMatchSession): Promise<AdvisoryMatch & { hostsRead: number }> {
  const { names, sources } = packageLookups(advisory);
  const packagesByHost = new Map<string, Map<string, InventoryPackage>>();
  const add = (hostId: string, pkg: InventoryPackage): void => {
    let packages = packagesByHost.get(hostId);
    if (packages === undefined) packagesByHost.set(hostId, (packages = new Map()));
    packages.set(`${pkg.name}\u0000${pkg.arch}\u0000${pkg.version}`, pkg);
  };
  for (const name of names) {
    for (const holder of await session.inventory.hostsWithPackage(name)) for (const instance of holder.installed) add(holder.hostId, { name, ...instance });
  }
  for (const source of sources) {
    for (const holder of await session.inventory.hostsWithSourcePackage(source)) for (const pkg of holder.installed) add(holder.hostId, pkg);
  }
  const missing = [...packagesByHost.keys()].filter((id) => !session.osCache.has(id));
  for (const [hostId, os] of await session.inventory.hostOs(missing)) session.osCache.set(hostId, os);

  const hosts: HostInventory[] = [];
  for (const [hostId, packages] of packagesByHost) {
    const os = session.osCache.get(hostId);
    if (os === undefined) continue;
    const host = hostFromScan({ hostId, scannedAt: '', os, kernel: null, arch: null, bootTime: null, held: [], packages: [...packages.values()] });
    if (host !== undefined) hosts.push(host);
  }
  return { ...matchAdvisory(advisory, indexInventory(hosts)), hostsRead: hosts.length };
}
