/**
 * Assess and match one advisory against the stored inventory, store the result (per advisory and per customer),
 * and act on it. `refreshExposure` does the same for every stored advisory, e.g. after re-scans: a host patched
 * since no longer shows as exposed, and a host newly exposed gets its preventive action.
 */
import { findHost } from '../config/index.js';
import type { AdvisoryExposure } from '../store/index.js';
import { storedMatchSession, matchAgainstStore, type StoredMatchSession } from './matching/index.js';
import type { Advisory } from './model.js';
import { actOnExposure } from './preventive/act.js';
import type { AdvisoryServices } from './services.js';
import { assessUrgency, assessUrgencyFor } from './urgency.js';

export async function assessAndMatch(services: AdvisoryServices, advisoryId: string, advisory: Advisory, session: StoredMatchSession = storedMatchSession(services.inventory)): Promise<AdvisoryExposure> {
  const { context, store } = services;
  const kev = await store.kevEntries(advisory.cves);
  const urgency = assessUrgency(advisory, [...kev.keys()], context.config.settings.policies.urgency);
  const withdrawn = advisory.revision.status === 'withdrawn';
  const match = withdrawn ? { affected: [], needsReview: [], remediation: [] } : await matchAgainstStore(advisory, session);
  const customerOf = (hostId: string | undefined): string | null => (hostId === undefined ? null : (findHost(context.config, hostId)?.customerId ?? null));
  const kevCves = [...kev.keys()];
  // Each customer with exposed or to-review hosts is decided under its own policy (contract.urgency over the default).
  const customers = [...new Set([...match.affected.map((e) => customerOf(e.hostId)), ...match.needsReview.map((r) => customerOf(r.hostId))].filter((c): c is string => c !== null))].sort();
  const customerUrgency: NonNullable<AdvisoryExposure['customerUrgency']> = {};
  for (const customerId of customers) {
    const decision = assessUrgencyFor(advisory, kevCves, context.config, customerId);
    customerUrgency[customerId] = { urgent: decision.urgent && !withdrawn, reasons: decision.reasons, overridden: decision.overridden };
  }
  const exposure: AdvisoryExposure = {
    advisoryId,
    matchedAt: context.clock.now().toISOString(),
    revision: advisory.revision.version,
    // A withdrawn record asks for nothing.
    urgent: urgency.urgent && !withdrawn,
    urgencyReasons: urgency.reasons,
    customerUrgency,
    severity: urgency.severity,
    maxCvss: urgency.maxCvss,
    affected: match.affected.map((e) => ({ hostId: e.hostId, customerId: customerOf(e.hostId), packageName: e.packageName, arch: e.arch ?? null, installedVersion: e.installedVersion, fixedVersion: e.fixedVersion ?? null, vulnerabilityIds: e.vulnerabilityIds })),
    needsReview: match.needsReview.map((r) => ({ hostId: r.hostId ?? null, customerId: customerOf(r.hostId), packageName: r.packageName ?? null, productId: r.productId ?? null, vulnerabilityIds: r.vulnerabilityIds, reason: r.reason })),
    remediation: match.remediation.map((s) => ({ packageName: s.packageName, arch: s.arch ?? null, fixedVersion: s.fixedVersion, hostIds: s.hostIds })),
  };
  await store.saveExposure(exposure, context.config.customers.map((c) => c.id));
  return exposure;
}

export async function matchAndAct(services: AdvisoryServices, advisoryId: string, advisory: Advisory, actor: string, session?: StoredMatchSession): Promise<{ exposure: AdvisoryExposure; notes: string[] }> {
  const exposure = await assessAndMatch(services, advisoryId, advisory, session);
  const urgentFor = Object.entries(exposure.customerUrgency ?? {}).filter(([, d]) => d.urgent).map(([customerId, d]) => `${customerId} (${d.reasons.join('; ')})`);
  const notes = [`${exposure.affected.length} exposed host package(s), ${exposure.needsReview.length} to review${urgentFor.length > 0 ? `; URGENT for ${urgentFor.join(', ')}` : Object.keys(exposure.customerUrgency ?? {}).length === 0 && exposure.urgent ? `; urgent by the default policy: ${exposure.urgencyReasons.join('; ')}` : ''}`];
  notes.push(...(await actOnExposure(services, advisory, exposure, actor)));
  return { exposure, notes };
}

/** Re-matches stored advisories (all, or the given ids) against the current inventory and acts on new exposure. */
export async function refreshExposure(services: AdvisoryServices, actor: string, options: { ids?: readonly string[]; act?: boolean } = {}): Promise<AdvisoryExposure[]> {
  const ids = options.ids ?? (await services.store.list(100_000)).map((s) => s.id);
  const session = storedMatchSession(services.inventory);
  const results: AdvisoryExposure[] = [];
  for (const id of ids) {
    const stored = await services.store.get<Advisory>(id);
    if (stored === undefined) continue;
    if (options.act === false) results.push(await assessAndMatch(services, id, stored.model, session));
    else results.push((await matchAndAct(services, id, stored.model, actor, session)).exposure);
  }
  return results;
}
