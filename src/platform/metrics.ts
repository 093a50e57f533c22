import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics. Components record into these; `/metrics` renders the registry. Queue depths
 * are read from Redis at scrape time (a collector registered by whoever owns the queues), not kept here.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'redback_process_' });

export const runsTotal = new Counter({
  name: 'redback_runs_total',
  help: 'Host runs finished, by status and failure class',
  labelNames: ['status', 'failure_class'] as const,
  registers: [metricsRegistry],
});

export const batchDurationSeconds = new Histogram({
  name: 'redback_batch_duration_seconds',
  help: 'Time from the first host run start to the batch reaching a final status',
  labelNames: ['status'] as const,
  buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800],
  registers: [metricsRegistry],
});

export const queueDepth = new Gauge({
  name: 'redback_queue_depth',
  help: 'Jobs per queue and state, read at scrape time',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

export const slaBreachesTotal = new Counter({
  name: 'redback_sla_breaches_total',
  help: 'SLA breaches and near-breaches, by kind (response, resolution) and level (near, breach)',
  labelNames: ['kind', 'level'] as const,
  registers: [metricsRegistry],
});

export const advisoryIngestsTotal = new Counter({
  name: 'redback_advisory_ingests_total',
  help: 'Advisory documents ingested, by format and outcome (stored, updated, ignored-older, refused)',
  labelNames: ['format', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const httpRequestsTotal = new Counter({
  name: 'redback_http_requests_total',
  help: 'API requests by method, route and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});
