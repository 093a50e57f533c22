import type { Redis } from 'ioredis';
import { resolvePlaybook, type ResolvedConfig } from '../../config/index.js';
import { batchHosts, getBatchContent, getRun, IncidentRepository, type BatchRecord } from '../../store/index.js';
import type { PlannedHost, PostWindowReport, PreWindowNotice } from './notice-content.js';

/** Advisory ids that an update of `packageName` to `version` on a host addresses (from the advisories part, when wired). */
export type AdvisoryLookup = (hostId: string, packageName: string, version: string) => readonly string[];

const REBOOT_ORDER = ['never', 'if-needed', 'always'] as const;

function customerOf(config: ResolvedConfig, customerId: string) {
  const customer = config.customers.find((c) => c.id === customerId);
  return { name: customer?.name ?? customerId, timezone: customer?.timezone ?? 'UTC' };
}

/** The strongest reboot policy of the batch's playbooks for this host's OS. */
function rebootOf(config: ResolvedConfig, batch: BatchRecord, hostId: string): PlannedHost['reboot'] {
  const os = config.hosts.find((h) => h.id === hostId)?.os;
  if (os === undefined) return 'never';
  let strongest = 0;
  for (const reference of batch.playbooks) {
    const reboot = resolvePlaybook(config, reference, os)?.reboot ?? 'never';
    strongest = Math.max(strongest, REBOOT_ORDER.indexOf(reboot));
  }
  return REBOOT_ORDER[strongest]!;
}

export async function collectPreWindowNotice(redis: Redis, prefix: string, config: ResolvedConfig, batch: BatchRecord, advisoriesFor: AdvisoryLookup): Promise<PreWindowNotice> {
  const content = await getBatchContent(redis, prefix, batch.id);
  const plans = new Map((content?.hosts ?? []).map((plan) => [plan.hostId, plan]));
  const hosts = batch.hostIds.map((hostId): PlannedHost => {
    const plan = plans.get(hostId);
    const updates = (plan?.taken ?? []).map((p) => ({ name: p.name, from: p.from, to: p.to }));
    const note = plan === undefined ? 'the playbooks decide on the night (no planned list was computed)' : !plan.scanned ? 'not scanned yet: the playbooks decide on the night' : updates.length === 0 ? 'up to date: no updates planned' : null;
    const advisories = [...new Set(updates.flatMap((u) => advisoriesFor(hostId, u.name, u.to)))].sort();
    return { hostId, updates, reboot: rebootOf(config, batch, hostId), advisories, note };
  });
  const customer = customerOf(config, batch.customerId);
  return { batchId: batch.id, customerId: batch.customerId, customerName: customer.name, timezone: customer.timezone, windowStart: batch.windowStart, windowEnd: batch.windowEnd, playbooks: [...batch.playbooks], hosts };
}

export async function collectPostWindowReport(redis: Redis, prefix: string, config: ResolvedConfig, batch: BatchRecord): Promise<PostWindowReport> {
  const hosts = [];
  for (const entry of await batchHosts(redis, prefix, batch)) {
    const run = await getRun(redis, prefix, `${batch.id}/${entry.hostId}`);
    hosts.push({ hostId: entry.hostId, state: entry.state, failureClass: run?.failureClass ?? null, reason: run?.reason ?? entry.note });
  }
  // An incident belongs to this window when its run key names this occurrence (escalation keys incidents by it).
  const incidents = (await new IncidentRepository(redis, prefix).list({ customerId: batch.customerId, limit: 500 }))
    .filter((incident) => incident.run?.occurrenceId === batch.occurrenceId)
    .map((incident) => ({ id: incident.id, title: incident.title, priority: incident.priority, status: incident.status }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const customer = customerOf(config, batch.customerId);
  return { batchId: batch.id, customerId: batch.customerId, customerName: customer.name, timezone: customer.timezone, windowStart: batch.windowStart, windowEnd: batch.windowEnd, status: batch.status, hosts, incidents };
}
