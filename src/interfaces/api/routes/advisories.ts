import { z } from 'zod';
import { advisoryServices, exposureRows, ingestDocument, type Advisory } from '../../../advisories/index.js';
import type { OrchestrationContext } from '../../../releases/index.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer } from '../principal.js';
import type { RouteTable } from '../route.js';

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
    summary: 'One advisory: summary, normalised model, and exposure limited to the caller\'s customers',
    tag: 'advisories',
    role: 'viewer',
    params: z.object({ id: z.string().min(1) }),
    handler: async ({ params, principal }) => {
      const stored = await services.store.get<Advisory>(params.id);
      if (stored === undefined) throw new HttpError(404, 'not-found', `no stored advisory ${params.id}`);
      const exposure = await services.store.exposure(params.id);
      const visible = <T extends { customerId: string | null }>(items: T[]) => items.filter((i) => i.customerId !== null && canSeeCustomer(principal!, i.customerId));
      return { summary: stored.summary, model: stored.model, exposure: exposure === undefined ? null : { ...exposure, affected: visible(exposure.affected), needsReview: visible(exposure.needsReview) } };
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
