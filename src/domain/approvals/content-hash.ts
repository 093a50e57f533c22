import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/**
 * What an approval is given for: the hosts, the package changes each will get, the playbooks and their
 * parameters. Two batches with the same content have the same hash whatever order their parts were listed in.
 */
export interface PlannedPackage {
  name: string;
  /** Empty when the package manager has no architecture for it. */
  arch: string;
  /** Installed version, null when the package is new. */
  from: string | null;
  to: string;
}

export interface HostContent {
  hostId: string;
  /** False when the host has never been scanned: nothing is planned for it and the approver is told so. */
  scanned: boolean;
  scannedAt: string | null;
  packages: PlannedPackage[];
}

export interface BatchContent {
  hosts: HostContent[];
  playbooks: string[];
  params: Record<string, unknown>;
}

/** Sorts the unordered parts (hosts by id, packages by name and arch) so the hash does not depend on input order. */
export function normalizeContent(content: BatchContent): BatchContent {
  const hosts = [...content.hosts]
    .map((host) => ({ ...host, packages: [...host.packages].sort((a, b) => compare(a.name, b.name) || compare(a.arch, b.arch)) }))
    .sort((a, b) => compare(a.hostId, b.hostId));
  return { hosts, playbooks: [...content.playbooks], params: content.params };
}

/**
 * sha256 over the canonical JSON of the content. The scan time is left out on purpose: a re-scan that finds the
 * same updates does not change what is approved.
 */
export function contentHash(content: BatchContent): string {
  const normalized = normalizeContent(content);
  const hashed = {
    hosts: normalized.hosts.map((h) => ({ hostId: h.hostId, scanned: h.scanned, packages: h.packages.map((p) => ({ name: p.name, arch: p.arch, from: p.from, to: p.to })) })),
    playbooks: normalized.playbooks,
    params: normalized.params,
  };
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
