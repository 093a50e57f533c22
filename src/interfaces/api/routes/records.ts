import type { Redis } from 'ioredis';
import { z } from 'zod';
import { BATCH_STATUSES } from '../../../domain/release-batch.js';
import {
  batchCounts,
  batchHosts,
  IncidentRepository,
  INCIDENT_STATUSES,
  listBatches,
  listRuns,
  PROBLEM_STATUSES,
  ProblemRepository,
  readAudit,
  readRunLog,
  requireBatch,
  requireRun,
  verifyAuditChain,
} from '../../../store/index.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer, type Principal } from '../principal.js';
import type { RouteTable } from '../route.js';

export interface RecordsDeps {
  redis: Redis;
  prefix: string;
}

const limit = z.coerce.number().int().min(1).max(500).default(50);
const instant = z.iso.datetime({ offset: true, error: 'expected an ISO 8601 instant with offset, e.g. 2026-12-01T00:00:00Z' });

/** Read access to batches, runs, incidents, problems and the audit trail, scoped to the caller's customers. */
export function addRecordRoutes(table: RouteTable, deps: RecordsDeps): void {
  const { redis, prefix } = deps;
  const incidents = new IncidentRepository(redis, prefix);
  const problems = new ProblemRepository(redis, prefix);

  table.add({
    method: 'GET',
    url: '/batches',
    summary: 'Release batches, newest window first',
    tag: 'batches',
    role: 'viewer',
    query: z.object({ status: z.enum(BATCH_STATUSES).optional(), customer: z.string().optional(), window: z.string().optional(), from: instant.optional(), to: instant.optional(), limit }),
    handler: async ({ query, principal }) => {
      const items = await listBatches(redis, prefix, {
        status: query.status,
        customerId: query.customer,
        windowId: query.window,
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        limit: query.limit,
      });
      return { items: items.filter((b) => canSeeCustomer(principal!, b.customerId)) };
    },
  });

  table.add({
    method: 'GET',
    url: '/batches/:id',
    summary: 'One batch with its hosts and their states',
    tag: 'batches',
    role: 'viewer',
    params: z.object({ id: z.string() }),
    handler: async ({ params, principal }) => {
      const batch = visible(principal!, await requireBatch(redis, prefix, params.id));
      return { ...batch, counts: await batchCounts(redis, prefix, batch), hosts: await batchHosts(redis, prefix, batch) };
    },
  });

  table.add({
    method: 'GET',
    url: '/runs',
    summary: 'Host runs, newest first; filter by batch, host, customer, status, time',
    tag: 'runs',
    role: 'viewer',
    query: z.object({ batch: z.string().optional(), host: z.string().optional(), customer: z.string().optional(), status: z.string().optional(), from: instant.optional(), to: instant.optional(), limit }),
    handler: async ({ query, principal }) => {
      const items = await listRuns(redis, prefix, {
        batchId: query.batch,
        hostId: query.host,
        customerId: query.customer,
        status: query.status as never,
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        limit: query.limit,
      });
      return { items: items.filter((r) => canSeeCustomer(principal!, r.customerId)) };
    },
  });

  table.add({
    method: 'GET',
    url: '/runs/:batchId/:hostId',
    summary: 'One host run: status, failure class, steps with capped output, timings',
    tag: 'runs',
    role: 'viewer',
    params: z.object({ batchId: z.string(), hostId: z.string() }),
    handler: async ({ params, principal }) => visible(principal!, await requireRun(redis, prefix, `${params.batchId}/${params.hostId}`)),
  });

  table.add({
    method: 'GET',
    url: '/runs/:batchId/:hostId/logs',
    summary: 'The streamed output lines of a host run, from a line number on',
    tag: 'runs',
    role: 'viewer',
    params: z.object({ batchId: z.string(), hostId: z.string() }),
    query: z.object({ from: z.coerce.number().int().min(0).default(0) }),
    handler: async ({ params, query, principal }) => {
      const runId = `${params.batchId}/${params.hostId}`;
      visible(principal!, await requireRun(redis, prefix, runId));
      return await readRunLog(redis, prefix, runId, query.from);
    },
  });

  table.add({
    method: 'GET',
    url: '/incidents',
    summary: 'Incidents, newest first, with their SLA clocks',
    tag: 'helpdesk',
    role: 'viewer',
    query: z.object({ customer: z.string().optional(), status: z.enum(INCIDENT_STATUSES).optional(), limit }),
    handler: async ({ query, principal }) => {
      const items = await incidents.list({ customerId: query.customer, statuses: query.status === undefined ? undefined : [query.status], limit: query.limit });
      return { items: items.filter((i) => i.customerId === null || canSeeCustomer(principal!, i.customerId)) };
    },
  });

  table.add({
    method: 'GET',
    url: '/incidents/:id',
    summary: 'One incident with its timeline',
    tag: 'helpdesk',
    role: 'viewer',
    params: z.object({ id: z.string().regex(/^INC-\d+$/, 'expected an incident id like INC-000123') }),
    handler: async ({ params, principal }) => {
      const incident = await incidents.require(params.id);
      if (incident.customerId !== null) visible(principal!, { customerId: incident.customerId });
      return { ...incident, timeline: await incidents.timeline(params.id) };
    },
  });

  table.add({
    method: 'GET',
    url: '/problems',
    summary: 'Problems, newest first',
    tag: 'helpdesk',
    role: 'viewer',
    query: z.object({ customer: z.string().optional(), status: z.enum(PROBLEM_STATUSES).optional(), limit }),
    handler: async ({ query, principal }) => {
      const items = await problems.list({ customerId: query.customer, statuses: query.status === undefined ? undefined : [query.status], limit: query.limit });
      return { items: items.filter((p) => p.customerId === null || canSeeCustomer(principal!, p.customerId)) };
    },
  });

  table.add({
    method: 'GET',
    url: '/problems/:id',
    summary: 'One problem with its timeline',
    tag: 'helpdesk',
    role: 'viewer',
    params: z.object({ id: z.string().regex(/^PRB-\d+$/, 'expected a problem id like PRB-000045') }),
    handler: async ({ params, principal }) => {
      const problem = await problems.require(params.id);
      if (problem.customerId !== null) visible(principal!, { customerId: problem.customerId });
      return { ...problem, timeline: await problems.timeline(params.id) };
    },
  });

  table.add({
    method: 'GET',
    url: '/audit',
    summary: 'The audit trail, oldest first, by time range and customer',
    tag: 'audit',
    role: 'viewer',
    query: z.object({ from: instant.optional(), to: instant.optional(), customer: z.string().optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }),
    handler: async ({ query, principal }) => {
      if (query.customer !== undefined) visible(principal!, { customerId: query.customer });
      const entries = await readAudit(redis, prefix, {
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        customerId: query.customer,
      });
      const scoped = principal!.customers === '*' ? entries : entries.filter((e) => e.customerId !== null && canSeeCustomer(principal!, e.customerId));
      return { items: scoped.slice(-query.limit) };
    },
  });

  table.add({
    method: 'GET',
    url: '/audit/verify',
    summary: 'Recompute the audit hash chain; ok false names the first broken entry',
    tag: 'audit',
    role: 'admin',
    handler: async () => await verifyAuditChain(redis, prefix),
  });
}

function visible<T extends { customerId: string }>(principal: Principal, record: T): T {
  if (!canSeeCustomer(principal, record.customerId)) {
    // 404, not 403: a caller without the customer learns nothing about its records.
    throw new HttpError(404, 'not-found', 'no such record');
  }
  return record;
}
