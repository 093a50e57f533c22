import type { Redis } from 'ioredis';
import { z } from 'zod';
import { metricsRegistry } from '../../../platform/metrics.js';
import { HttpError } from '../http-errors.js';
import type { RouteTable } from '../route.js';

export interface OperationsDeps {
  redis: Redis;
  /** Workers connected to the host-run queue; readiness needs at least one when `requireWorkers` is set. */
  countWorkers?: () => Promise<number>;
  requireWorkers?: boolean;
  /** Refreshes gauges read at scrape time (queue depths). */
  beforeScrape?: () => Promise<void>;
}

/** Liveness, readiness and metrics: what a load balancer and Prometheus ask. */
export function addOperationsRoutes(table: RouteTable, deps: OperationsDeps): void {
  table.add({
    method: 'GET',
    url: '/healthz',
    summary: 'Process liveness: 200 while the process serves requests',
    tag: 'operations',
    role: 'public',
    response: z.object({ status: z.literal('ok') }),
    handler: async () => ({ status: 'ok' as const }),
  });

  table.add({
    method: 'GET',
    url: '/readyz',
    summary: 'Readiness: Redis reachable and (where required) workers connected; 503 otherwise',
    tag: 'operations',
    role: 'public',
    response: z.object({ status: z.literal('ready'), redis: z.literal('ok'), workers: z.number().nullable() }),
    handler: async () => {
      try {
        await deps.redis.ping();
      } catch (error) {
        throw new HttpError(503, 'prerequisite-missing', `Redis is not reachable: ${(error as Error).message}`);
      }
      const workers = deps.countWorkers === undefined ? null : await deps.countWorkers();
      if (deps.requireWorkers === true && (workers ?? 0) === 0) {
        throw new HttpError(503, 'prerequisite-missing', 'no worker is connected to the host-run queue; start `redback worker` or `redback serve`');
      }
      return { status: 'ready' as const, redis: 'ok' as const, workers };
    },
  });

  table.add({
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    role: 'public',
    produces: 'text/plain; version=0.0.4; charset=utf-8',
    handler: async () => {
      await deps.beforeScrape?.();
      return await metricsRegistry.metrics();
    },
  });
}
