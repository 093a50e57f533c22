import type { Redis } from 'ioredis';
import { runScript } from './lua.js';

/**
 * A host's inventory: what its last successful `scan` found, with the time of the scan. The advisory matcher
 * asks "which hosts have package X, in which versions" (`hostsWithPackage`), so next to one record per host
 * there is an index per package name. A save replaces the record and moves the host between index entries in
 * one Lua script: a reader never sees a host half re-scanned, and a scan older than the stored one (two runs
 * finishing out of order) is ignored instead of going back in time.
 */
export interface InventoryPackage {
  name: string;
  version: string;
  arch: string;
  /** Debian source package or source RPM; empty when the package manager has none (Windows: hotfix/publisher). */
  source: string;
}

export interface HostInventory {
  hostId: string;
  /** ISO 8601 instant (UTC) of the scan. */
  scannedAt: string;
  os: { id: string | null; name: string | null; version: string | null };
  kernel: string | null;
  arch: string | null;
  bootTime: string | null;
  held: string[];
  packages: InventoryPackage[];
}

/** One host that has a package installed, with each installed instance (several arches on multiarch hosts). */
export interface PackageHolder {
  hostId: string;
  installed: Array<Omit<InventoryPackage, 'name'>>;
}

/** One host that has binaries of a source package installed. */
export interface SourceHolder {
  hostId: string;
  installed: InventoryPackage[];
}

export interface HostInventoryStore {
  /** Stores a scan; false when the stored scan is newer (this one is ignored). */
  save(inventory: HostInventory): Promise<boolean>;
  lastScan(hostId: string): Promise<HostInventory | undefined>;
  /** Hosts whose last scan lists a package of exactly this name, by host id. */
  hostsWithPackage(name: string): Promise<PackageHolder[]>;
  /**
   * Hosts whose last scan lists a binary package built from this source package (Debian `source:Package`, the
   * source RPM's name part, or the package itself when it names no source), with each binary instance. OSV names
   * source packages for Debian, Ubuntu and Alpine.
   */
  hostsWithSourcePackage(source: string): Promise<SourceHolder[]>;
  /** The OS facts of each host's last scan (what matching needs to know the host's release), by host id. */
  hostOs(hostIds: readonly string[]): Promise<Map<string, HostInventory['os']>>;
  /** Every scanned host with the time of its last scan, oldest scan first. */
  scannedHosts(): Promise<Array<{ hostId: string; scannedAt: string }>>;
}

const inventoryKeys = (prefix: string) => ({
  host: (hostId: string) => `${prefix}:inventory:host:${hostId}`,
  hostPackageNames: (hostId: string) => `${prefix}:inventory:host:${hostId}:package-names`,
  packagePrefix: `${prefix}:inventory:package:`,
  scannedHosts: `${prefix}:inventory:hosts`,
  hostSourceNames: (hostId: string) => `${prefix}:inventory:host:${hostId}:source-names`,
  sourcePrefix: `${prefix}:inventory:source:`,
  os: `${prefix}:inventory:os`,
});

/** Debian scans name the source; an empty source means the package is its own source. RPM: `name-v-r.src.rpm` -> name. */
export function sourceNameOf(pkg: Pick<InventoryPackage, 'name' | 'source'>): string {
  if (pkg.source === '') return pkg.name;
  const rpm = /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(pkg.source);
  return rpm?.[1] ?? pkg.source;
}

// KEYS: record, the host's package-name set, the scanned-hosts sorted set, the host's source-name set, the OS hash.
// ARGV: host id, record JSON, scan time (ms), package index key prefix, source index key prefix, OS JSON,
// number of name pairs, then name/instances-JSON pairs, then source/instances-JSON pairs.
const SAVE_SCRIPT = `
local stored = redis.call('ZSCORE', KEYS[3], ARGV[1])
if stored and tonumber(stored) > tonumber(ARGV[3]) then return 0 end
local pairsCount = tonumber(ARGV[7])
local function reindex(setKey, keyPrefix, first, last)
  local fresh = {}
  for i = first, last, 2 do fresh[ARGV[i]] = ARGV[i + 1] end
  for _, name in ipairs(redis.call('SMEMBERS', setKey)) do
    if fresh[name] == nil then
      redis.call('HDEL', keyPrefix .. name, ARGV[1])
      redis.call('SREM', setKey, name)
    end
  end
  for name, instances in pairs(fresh) do
    redis.call('HSET', keyPrefix .. name, ARGV[1], instances)
    redis.call('SADD', setKey, name)
  end
end
reindex(KEYS[2], ARGV[4], 8, 7 + 2 * pairsCount)
reindex(KEYS[4], ARGV[5], 8 + 2 * pairsCount, #ARGV)
redis.call('SET', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
`;

export function createHostInventoryStore(redis: Redis, prefix: string): HostInventoryStore {
  const keys = inventoryKeys(prefix);
  return {
    async save(inventory) {
      const scannedAtMs = Date.parse(inventory.scannedAt);
      if (Number.isNaN(scannedAtMs)) throw new Error(`host inventory of ${inventory.hostId}: scannedAt is not an instant: ${JSON.stringify(inventory.scannedAt)}`);
      const byName = new Map<string, PackageHolder['installed']>();
      for (const { name, ...instance } of inventory.packages) byName.set(name, [...(byName.get(name) ?? []), instance]);
      const pairs = [...byName].flatMap(([name, instances]) => [name, JSON.stringify(instances)]);
      const bySource = new Map<string, InventoryPackage[]>();
      for (const pkg of inventory.packages) bySource.set(sourceNameOf(pkg), [...(bySource.get(sourceNameOf(pkg)) ?? []), pkg]);
      const sourcePairs = [...bySource].flatMap(([source, instances]) => [source, JSON.stringify(instances)]);
      const saved = await runScript(
        redis,
        SAVE_SCRIPT,
        [keys.host(inventory.hostId), keys.hostPackageNames(inventory.hostId), keys.scannedHosts, keys.hostSourceNames(inventory.hostId), keys.os],
        [inventory.hostId, JSON.stringify(inventory), String(scannedAtMs), keys.packagePrefix, keys.sourcePrefix, JSON.stringify(inventory.os), String(byName.size), ...pairs, ...sourcePairs],
      );
      return saved === 1;
    },

    async lastScan(hostId) {
      const raw = await redis.get(keys.host(hostId));
      return raw === null ? undefined : (JSON.parse(raw) as HostInventory);
    },

    async hostsWithPackage(name) {
      const entries = await redis.hgetall(`${keys.packagePrefix}${name}`);
      return Object.entries(entries)
        .map(([hostId, instances]) => ({ hostId, installed: JSON.parse(instances) as PackageHolder['installed'] }))
        .sort((a, b) => a.hostId.localeCompare(b.hostId));
    },

    async hostsWithSourcePackage(source) {
      const entries = await redis.hgetall(`${keys.sourcePrefix}${source}`);
      return Object.entries(entries)
        .map(([hostId, instances]) => ({ hostId, installed: JSON.parse(instances) as InventoryPackage[] }))
        .sort((a, b) => a.hostId.localeCompare(b.hostId));
    },

    async hostOs(hostIds) {
      const result = new Map<string, HostInventory['os']>();
      if (hostIds.length === 0) return result;
      const values = await redis.hmget(keys.os, ...hostIds);
      hostIds.forEach((hostId, i) => {
        const raw = values[i];
        if (raw !== null && raw !== undefined) result.set(hostId, JSON.parse(raw) as HostInventory['os']);
      });
      return result;
    },

    async scannedHosts() {
      const flat = await redis.zrange(keys.scannedHosts, '0', '-1', 'WITHSCORES');
      const hosts: Array<{ hostId: string; scannedAt: string }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) hosts.push({ hostId: flat[i] as string, scannedAt: new Date(Number(flat[i + 1])).toISOString() });
      return hosts;
    },
  };
}
