/**
 * What an advisory's exposure leads to, per customer, by that customer's urgency decision (its contract's policy
 * over the default). Every exposed host package with a fix becomes an available
 * update of the host (so regular batches and approvers see it). An urgent advisory also opens one problem record
 * (source `vendor`) and plans preventive batches for the host/package pairs not planned before. A non-urgent one
 * stops at the available updates: the packages join the next regular window's batch through its baseline.
 * Idempotent: the advisory's actions record per customer lists the pairs already covered.
 */
import { urgentFor, type AdvisoryActions, type AdvisoryExposure, type ExposureEntry } from '../../store/index.js';
import type { Advisory } from '../model.js';
import type { AdvisoryServices } from '../services.js';
import type { Severity } from '../urgency.js';
import { recordAvailableUpdates } from './available-updates.js';
import { createPreventiveBatches } from './batches.js';
import { planPreventive } from './plan.js';
import { openAdvisoryProblem } from './problem.js';

const pairOf = (e: ExposureEntry): string => `${e.hostId}/${e.packageName}`;

export async function actOnExposure(services: AdvisoryServices, advisory: Advisory, exposure: AdvisoryExposure, actor: string): Promise<string[]> {
  const { context, store } = services;
  const notes: string[] = [];
  const byCustomer = new Map<string, ExposureEntry[]>();
  for (const entry of exposure.affected) if (entry.customerId !== null) byCustomer.set(entry.customerId, [...(byCustomer.get(entry.customerId) ?? []), entry]);

  for (const [customerId, entries] of [...byCustomer].sort(([a], [b]) => a.localeCompare(b))) {
    const now = context.clock.now();
    const actions: AdvisoryActions = (await store.actions(exposure.advisoryId, customerId)) ?? { advisoryId: exposure.advisoryId, customerId, problemId: null, batches: [], covered: [], updatedAt: now.toISOString() };
    const patchable = entries.filter((e) => e.fixedVersion !== null);
    const fresh = patchable.filter((e) => !actions.covered.includes(pairOf(e)));
    const added = await recordAvailableUpdates(services, patchable, { severity: exposure.severity, releasedAt: advisory.revision.releasedAt });
    let changed = false;
    const urgency = urgentFor(exposure, customerId);

    if (!urgency.urgent) {
      if (fresh.length > 0) {
        actions.covered.push(...fresh.map(pairOf));
        changed = true;
        await context.audit.record({ actor, action: 'advisory.scheduled', subject: `advisory/${exposure.advisoryId}`, customerId, before: null, after: { hosts: [...new Set(fresh.map((e) => e.hostId))], packages: [...new Set(fresh.map((e) => e.packageName))], availableUpdatesAdded: added, policy: urgency.overridden.length === 0 ? 'default' : `contract (${urgency.overridden.join(', ')})` }, reason: `not urgent${urgency.overridden.length === 0 ? '' : ` under ${customerId}'s contract policy`}: the packages join the next regular window's batch`, at: now });
        notes.push(`${customerId}: not urgent; ${fresh.length} host package(s) join the next regular window`);
      }
    } else {
      const plan = planPreventive(context.config, { advisoryId: exposure.advisoryId, customerId, severity: exposure.severity as Severity | null, entries: fresh, nowMs: now.getTime() });
      if (actions.problemId === null) {
        const problem = await openAdvisoryProblem(services, {
          advisoryId: exposure.advisoryId,
          trackingId: advisory.identity.trackingId,
          publisher: advisory.identity.publisher,
          title: advisory.title,
          customerId,
          entries,
          reasons: urgency.reasons,
          severity: exposure.severity,
          dueAt: plan.dueAt,
          unplannable: plan.unplannable,
        }, actor);
        actions.problemId = problem.record.id;
        changed = true;
        notes.push(`${customerId}: problem ${problem.record.id}${problem.created ? ' opened' : ' (already open)'}`);
      }
      if (fresh.length > 0) {
        const created = await createPreventiveBatches(services, plan.groups, { customerId, advisoryId: exposure.advisoryId, trackingId: advisory.identity.trackingId, dueAt: plan.dueAt, problemId: actions.problemId, actor });
        for (const group of plan.groups) actions.batches.push({ batchId: group.batchId, emergency: group.emergency, hostIds: group.hostIds, packages: group.packages });
        const planned = new Set(plan.groups.flatMap((g) => g.hostIds));
        actions.covered.push(...fresh.filter((e) => planned.has(e.hostId)).map(pairOf));
        changed = true;
        await context.audit.record({ actor, action: 'advisory.preventive', subject: `advisory/${exposure.advisoryId}`, customerId, before: null, after: { problemId: actions.problemId, dueAt: plan.dueAt, batches: plan.groups.map((g) => ({ batchId: g.batchId, emergency: g.emergency, hosts: g.hostIds, packages: g.packages })), unplannable: plan.unplannable }, reason: urgency.reasons.join('; '), at: now });
        for (const group of plan.groups) notes.push(`${customerId}: ${group.emergency ? 'emergency' : 'preventive'} batch ${group.batchId}${created.includes(group.batchId) ? '' : ' (exists)'} for ${group.hostIds.join(', ')}`);
        if (plan.unplannable.length > 0) notes.push(`${customerId}: no window targets ${plan.unplannable.join(', ')}; patch by hand`);
      }
    }
    if (changed) await store.saveActions({ ...actions, updatedAt: now.toISOString() });
  }
  return notes;
}
