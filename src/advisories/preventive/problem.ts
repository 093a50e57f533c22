/**
 * The problem record of an urgent advisory (preventive management), written through the store: advisories sit
 * above releases but below helpdesk in the layout, so they may not call the helpdesk's ProblemService. The record,
 * its first timeline entry and its indexes are written by the repository's one Lua script; the audit entry goes
 * through the orchestration audit writer. One problem per advisory and customer (dedupe key while open, and the
 * advisory's actions record after).
 */
import { findHost, type ResolvedConfig } from '../../config/index.js';
import { computePriority, type Level } from '../../domain/priority.js';
import { ProblemRepository, type EffortEstimate, type ExposureEntry, type ProblemRecord } from '../../store/index.js';
import type { AdvisoryServices } from '../services.js';

export interface AdvisoryProblemInput {
  advisoryId: string;
  trackingId: string;
  publisher: string;
  title: string;
  customerId: string;
  entries: readonly ExposureEntry[];
  reasons: readonly string[];
  severity: string | null;
  dueAt: string | null;
  unplannable: readonly string[];
}

/** A rough estimate for the engineer: one person, the security-patch playbook, half an hour plus a quarter per host. */
export function estimateEffort(hostCount: number): EffortEstimate {
  return { people: hostCount > 20 ? 2 : 1, means: 'security-patch playbook through a preventive release batch', hours: Math.ceil((0.5 + 0.25 * hostCount) * 4) / 4 };
}

function impactOf(config: ResolvedConfig, hostIds: readonly string[]): Level {
  const levels = hostIds.map((id) => findHost(config, id)?.criticality ?? 'medium');
  if (levels.some((l) => l === 'critical' || l === 'high') || hostIds.length >= 10) return 'high';
  return levels.every((l) => l === 'low') ? 'low' : 'medium';
}

export async function openAdvisoryProblem(services: AdvisoryServices, input: AdvisoryProblemInput, actor: string): Promise<{ record: ProblemRecord; created: boolean }> {
  const { context } = services;
  const repository = new ProblemRepository(context.redis, context.prefix);
  const hostIds = [...new Set(input.entries.map((e) => e.hostId))].sort();
  const now = context.clock.now();
  const impact = impactOf(context.config, hostIds);
  const urgency: Level = 'high';
  const packages = [...new Set(input.entries.map((e) => e.packageName))].sort();
  const noFix = input.entries.filter((e) => e.fixedVersion === null).map((e) => `${e.hostId}/${e.packageName}`);
  const draft: Omit<ProblemRecord, 'id'> = {
    customerId: input.customerId,
    title: `${input.trackingId}: ${input.title} (${hostIds.length} exposed host${hostIds.length === 1 ? '' : 's'})`,
    source: 'vendor',
    category: 'security-advisory',
    impact,
    urgency,
    priority: computePriority(impact, urgency),
    status: 'new',
    assignee: null,
    effort: estimateEffort(hostIds.length),
    incidentIds: [],
    trigger: {
      rule: 'vendor-advisory',
      detail: {
        advisoryId: input.advisoryId,
        trackingId: input.trackingId,
        publisher: input.publisher,
        reasons: input.reasons,
        severity: input.severity,
        dueAt: input.dueAt,
        hosts: hostIds,
        packages,
        exposures: input.entries.map((e) => ({ hostId: e.hostId, packageName: e.packageName, installedVersion: e.installedVersion, fixedVersion: e.fixedVersion })),
        noFixAvailable: noFix,
        unplannable: input.unplannable,
      },
    },
    knownErrorWorkaround: null,
    resolvedAt: null,
    closedAt: null,
    resolution: null,
    openedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    dedupeKey: `advisory-${input.advisoryId}-${input.customerId}`,
  };
  const result = await repository.create(draft, { at: now.toISOString(), actor, action: 'problem.opened', text: `urgent advisory ${input.trackingId}: ${input.reasons.join('; ')}` });
  if (result.created) {
    await context.audit.record({ actor, action: 'problem.opened', subject: `problem/${result.record.id}`, customerId: input.customerId, before: null, after: result.record, reason: `urgent advisory ${input.trackingId}`, at: now });
  }
  return result;
}
