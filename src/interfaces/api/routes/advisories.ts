import { z } from 'zod';
import { advisoryServices, exposureRows, ingestDocument, type Advisory } from '../../../advisories/index.js';
import type { OrchestrationContext } from '../../../releases/index.js';
import type { AdvisoryExposure } from '../../../store/index.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer } from '../principal.js';
import type { RouteTable } from '../route.js';

/** The remediation limited to the hosts the caller may see (other customers' host ids are not shown). */
function remediationFor(remediation: AdvisoryExposure['remediation'], visibleAffected: AdvisoryExposure['affected']): AdvisoryExposure['remediation'] {
  const hosts = new Set(visibleAffected.map((a) => a.hostId));
  return remediation.map((r) => ({ ...r, hostIds: r.hostIds.filter((h) => hosts.has(h)) })).filter((r) => r.hostIds.length > 0);
}

export interface AdvisoryRouteDeps {
  /** The orchestration context ingestion acts in (batches, problems, audit); its actor is replaced by the caller. */
  context: OrchestrationContext;
}

/**
 * `POST /advisories`: one CSAF 2.0 or OSV document (or the KEV catalog) as the JSON body, ingested exactly like
 * `redback advisories ingest` (limits, mandatory tests, revision decision, matching, urgency actions). A refused
 * document answers 422 with the same `{ source, status, id, revision, errors }` body. Reads: the stored
 * advisories, one advisory with its exposure, and the exposure rows of the caller's customers.
 */
export function addAdvisoryRoutes(table: RouteTable, deps: AdvisoryRouteDeps): void {
  const services = advisoryServices(deps.context);

  table.add({
    method: 'POST',
    url: '/advisories',
    summary: 'Ingest one advisory document (CSAF 2.0, OSV, or the CISA KEV catalog) sent as the JSON body',
    tag: 'advisories',
    role: 'engineer',
    write: true,
    body: z.unknown(),
    handler: async ({ body, principal, reply }) => {
      // The body was parsed by fastify; the advisory limits (size, depth, __proto__) run again on its text.
      const bytes = Buffer.from(JSON.stringify(body ?? null), 'utf8');
      const result = await ingestDocument({ ...services, context: { ...deps.context, actor: principal!.user } }, { source: 'api', bytes }, { actor: principal!.user });
      if (result.status === 'refused') void reply.status(422);
      return { source: result.source, status: result.status, id: result.id, revision: result.revision, errors: result.errors };
    },
  });

  table.add({
    method: 'GET',
    url: '/advisories',
    summary: 'Stored advisories, newest release first',
    tag: 'advisories',
    role: 'viewer',
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
    handler: async ({ query }) => ({ items: await services.store.list(query.limit) }),
  });

  table.add({
    method: 'GET',
    url: '/advisories/:id',
    summary: 'One advisory: summary, normalised model, exposure limited to the caller\'s customers, and the problems opened for them',
    tag: 'advisories',
    role: 'viewer',
    params: z.object({ id: z.string().min(1) }),
    handler: async ({ params, principal }) => {
      const stored = await services.store.get<Advisory>(params.id);
      if (stored === undefined) throw new HttpError(404, 'not-found', `no stored advisory ${params.id}`);
      const exposure = await services.store.exposure(params.id);
      const visible = <T extends { customerId: string | null }>(items: T[]) => items.filter((i) => i.customerId !== null && canSeeCustomer(principal!, i.customerId));
      const affected = exposure === undefined ? [] : visible(exposure.affected);
      // The problem opened for each exposed customer the caller may see (urgent advisories only).
      const customers = [...new Set(affected.map((a) => a.customerId!))].sort();
      const problems = (await Promise.all(customers.map(async (customerId) => ({ customerId, problemId: (await services.store.actions(stored.summary.id, customerId))?.problemId ?? null })))).filter((p) => p.problemId !== null);
      // Per-customer urgency decisions only for the customers the caller may see.
      const customerUrgency = Object.fromEntries(Object.entries(exposure?.customerUrgency ?? {}).filter(([customerId]) => canSeeCustomer(principal!, customerId)));
      return { summary: stored.summary, model: stored.model, exposure: exposure === undefined ? null : { ...exposure, customerUrgency, affected, needsReview: visible(exposure.needsReview), remediation: remediationFor(exposure.remediation, affected) }, problems };
    },
  });

  table.add({
    method: 'GET',
    url: '/exposure',
    summary: 'Hosts x advisories for the caller\'s customers, sortable by severity',
    tag: 'advisories',
    role: 'viewer',
    query: z.object({ customer: z.string().optional(), sort: z.enum(['severity', 'host']).default('host') }),
    handler: async ({ query, principal }) => {
      const rows = await exposureRows(services.store, { ...(query.customer === undefined ? {} : { customerId: query.customer }), sort: query.sort });
      return { items: rows.filter((r) => canSeeCustomer(principal!, r.customerId)) };
    },
  });
}
