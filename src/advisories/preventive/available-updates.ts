/**
 * Writes an advisory's fixes as the hosts' available updates (src/store/host-updates.ts), so that release
 * management's batch content sees them: a non-urgent advisory joins the next regular window's batch this way, and
 * the approver of a preventive batch sees the planned diff. An update already listed for the package and arch
 * (the host's own check-mode scan knows the real candidate) is left as it is; nothing is rewritten when nothing
 * changes, so ingesting again does not change any batch's content hash.
 */
import type { AvailableUpdate } from '../../domain/baselines/index.js';
import { lastHostUpdateScan, saveHostUpdateScan, type ExposureEntry } from '../../store/index.js';
import type { AdvisoryServices } from '../services.js';

export async function recordAvailableUpdates(services: AdvisoryServices, entries: readonly ExposureEntry[], details: { severity: string | null; releasedAt: string }): Promise<number> {
  const { redis, prefix, clock } = services.context;
  const byHost = new Map<string, ExposureEntry[]>();
  for (const entry of entries) if (entry.fixedVersion !== null) byHost.set(entry.hostId, [...(byHost.get(entry.hostId) ?? []), entry]);
  let added = 0;
  for (const [hostId, hostEntries] of byHost) {
    const scan = (await lastHostUpdateScan(redis, prefix, hostId)) ?? { hostId, scannedAt: clock.now().toISOString(), updates: [] };
    const updates: AvailableUpdate[] = [...scan.updates];
    for (const entry of hostEntries) {
      const arch = entry.arch ?? 'all';
      if (updates.some((u) => u.name === entry.packageName && u.arch === arch)) continue;
      updates.push({ name: entry.packageName, arch, from: entry.installedVersion, to: entry.fixedVersion as string, classification: 'security', severity: details.severity, releasedAt: details.releasedAt, revisedAt: null });
      added += 1;
    }
    if (updates.length !== scan.updates.length) await saveHostUpdateScan(redis, prefix, { ...scan, updates });
  }
  return added;
}
