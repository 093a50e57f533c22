import type { Redis } from 'ioredis';
import type { AvailableUpdate } from '../domain/baselines/index.js';

/**
 * A host's last check-mode scan as release management reads it: the updates available to it, with their
 * classification, severity and vendor release times. The scan run writes it; batch content is computed from it.
 */
export interface HostUpdateScan {
  hostId: string;
  scannedAt: string;
  updates: AvailableUpdate[];
}

const key = (prefix: string, hostId: string): string => `${prefix}:host:${hostId}:available-updates`;

export async function saveHostUpdateScan(redis: Redis, prefix: string, scan: HostUpdateScan): Promise<void> {
  await redis.set(key(prefix, scan.hostId), JSON.stringify(scan));
}

export async function lastHostUpdateScan(redis: Redis, prefix: string, hostId: string): Promise<HostUpdateScan | undefined> {
  const raw = await redis.get(key(prefix, hostId));
  return raw === null ? undefined : (JSON.parse(raw) as HostUpdateScan);
}

/** The last scans of many hosts, read in pipelined pages (a batch can hold thousands of hosts). */
export async function lastHostUpdateScans(redis: Redis, prefix: string, hostIds: readonly string[]): Promise<Map<string, HostUpdateScan>> {
  const scans = new Map<string, HostUpdateScan>();
  const pageSize = 1000;
  for (let start = 0; start < hostIds.length; start += pageSize) {
    const page = hostIds.slice(start, start + pageSize);
    const replies = (await redis.pipeline(page.map((hostId) => ['get', key(prefix, hostId)])).exec()) ?? [];
    replies.forEach(([, raw], index) => {
      if (typeof raw === 'string') scans.set(page[index]!, JSON.parse(raw) as HostUpdateScan);
    });
  }
  return scans;
}
