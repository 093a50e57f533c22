import type { ResolvedConfig } from '../config/index.js';
import { normalizeContent, type BatchContent, type HostContent } from '../domain/approvals/index.js';
import { baselineForHost, selectUpdates, type Baseline } from '../domain/baselines/index.js';
import type { BatchPlan, HostPlan, HostUpdateScan } from '../store/index.js';

/**
 * A batch's content, computed from the hosts' last scans: for each host, the available updates its baseline takes
 * (the planned diff) and the ones it leaves with the reason. The playbooks and parameters come from the window.
 */
export function planBatchContent(
  config: ResolvedConfig,
  batch: Pick<BatchPlan, 'customerId' | 'hostIds' | 'playbooks' | 'params'>,
  scans: ReadonlyMap<string, HostUpdateScan>,
  now: Date,
): { content: BatchContent; hosts: HostPlan[] } {
  const baselines: Baseline[] = config.schedules.filter((s) => s.customerId === batch.customerId).flatMap((s) => s.baselines);
  // A map, not findHost per host: a batch of 20,000 hosts would otherwise scan the inventory 20,000 times.
  const groupsOf = new Map(config.hosts.map((h) => [h.id, h.groups]));
  const hosts: HostPlan[] = [];
  const contentHosts: HostContent[] = [];
  for (const hostId of batch.hostIds) {
    const scan = scans.get(hostId);
    const baseline = baselineForHost(baselines, groupsOf.get(hostId) ?? []);
    const decisions = selectUpdates(baseline, scan?.updates ?? [], now);
    const entry = (d: (typeof decisions)[number]) => ({ name: d.update.name, arch: d.update.arch, from: d.update.from, to: d.update.to, reason: d.reason });
    hosts.push({
      hostId,
      scanned: scan !== undefined,
      scannedAt: scan?.scannedAt ?? null,
      baselineId: baseline?.id ?? null,
      taken: decisions.filter((d) => d.taken).map(entry),
      left: decisions.filter((d) => !d.taken).map((d) => ({ ...entry(d), detail: d.detail })),
    });
    contentHosts.push({
      hostId,
      scanned: scan !== undefined,
      scannedAt: scan?.scannedAt ?? null,
      packages: decisions.filter((d) => d.taken).map((d) => ({ name: d.update.name, arch: d.update.arch, from: d.update.from, to: d.update.to })),
    });
  }
  return { content: normalizeContent({ hosts: contentHosts, playbooks: [...batch.playbooks], params: { ...batch.params } }), hosts };
}
