import type { Redis } from 'ioredis';

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

export interface HostInventoryStore {
  /** Stores a scan; false when the stored scan is newer (this one is ignored). */
  save(inventory: HostInventory): Promise<boolean>;
  lastScan(hostId: string): Promise<HostInventory | undefined>;
  /** Hosts whose last scan lists a package of exactly this name, by host id. */
  hostsWithPackage(name: string): Promise<PackageHolder[]>;
  /** Every scanned host with the time of its last scan, oldest scan first. */
  scannedHosts(): Promise<Array<{ hostId: string; scannedAt: string }>>;
}

const inventoryKeys = (prefix: string) => ({
  host: (hostId: string) => `${prefix}:inventory:host:${hostId}`,
  hostPackageNames: (hostId: string) => `${prefix}:inventory:host:${hostId}:package-names`,
  packagePrefix: `${prefix}:inventory:package:`,
  scannedHosts: `${prefix}:inventory:hosts`,
});

// KEYS: record, the host's package-name set, the scanned-hosts sorted set.
// ARGV: host id, record JSON, scan time (ms), package index key prefix, then name/instances-JSON pairs.
const SAVE_SCRIPT = `
local stored = redis.call('ZSCORE', KEYS[3], ARGV[1])
if stored and tonumber(stored) > tonumber(ARGV[3]) then return 0 end
local fresh = {}
for i = 5, #ARGV, 2 do fresh[ARGV[i]] = ARGV[i + 1] end
for _, name in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if fresh[name] == nil then
    redis.call('HDEL', ARGV[4] .. name, ARGV[1])
    redis.call('SREM', KEYS[2], name)
  end
end
for name, instances in pairs(fresh) do
  redis.call('HSET', ARGV[4] .. name, ARGV[1], instances)
  redis.call('SADD', KEYS[2], name)
end
redis.call('SET', KEYS[1], ARGV[2])
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
      const saved = await redis.eval(
        SAVE_SCRIPT,
        3,
        keys.host(inventory.hostId),
        keys.hostPackageNames(inventory.hostId),
        keys.scannedHosts,
        inventory.hostId,
        JSON.stringify(inventory),
        String(scannedAtMs),
        keys.packagePrefix,
        ...pairs,
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

    async scannedHosts() {
      const flat = await redis.zrange(keys.scannedHosts, '0', '-1', 'WITHSCORES');
      const hosts: Array<{ hostId: string; scannedAt: string }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) hosts.push({ hostId: flat[i] as string, scannedAt: new Date(Number(flat[i + 1])).toISOString() });
      return hosts;
    },
  };
}
