import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { addCalendarRoutes, addOperationsRoutes, buildApiServer, type Principal } from '../../../src/interfaces/api/index.js';
import { silentLogger } from '../../../src/platform/logger.js';

const PRINCIPALS: Record<string, Principal> = {
  'viewer-token': { user: 'vera', roles: ['viewer'], customers: ['acme'] },
  'admin-token': { user: 'ada', roles: ['admin'], customers: '*' },
};

describe('HTTP API foundation (real HTTP, real Redis)', () => {
  let app: FastifyInstance;
  let base: string;
  const redis = new Redis(inject('redisUrl'));
  const prefix = `test-api-${randomUUID()}`;

  beforeAll(async () => {
    const config = await loadConfig({ dir: process.cwd(), env: {} });
    app = await buildApiServer({
      logger: silentLogger(),
      authenticate: async (token) => PRINCIPALS[token],
      routes: [
        (table) => addOperationsRoutes(table, { redis, countWorkers: async () => 0 }),
        (table) => addCalendarRoutes(table, { config, redis, prefix, publicUrl: 'http://127.0.0.1', now: () => new Date('2026-12-01T00:00:00Z') }),
      ],
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

  it('answers liveness and readiness (Redis reachable)', async () => {
    expect(await (await get('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'ok', workers: 0 });
  });

  it('serves Prometheus metrics with the product metrics named', async () => {
    const response = await get('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of ['redback_runs_total', 'redback_queue_depth', 'redback_sla_breaches_total', 'redback_advisory_ingests_total', 'redback_http_requests_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('refuses a protected endpoint without a token (401), with a wrong role (403), in the one error shape', async () => {
    const anonymous = await get('/calendar?from=2026-12-01&to=2026-12-31');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) } });
    const unknown = await get('/calendar?from=2026-12-01&to=2026-12-31', 'nope');
    expect(unknown.status).toBe(401);
    const wrongRole = await fetch(`${base}/customers/acme/calendar-feed`, { method: 'POST', headers: { authorization: 'Bearer viewer-token' } });
    expect(wrongRole.status).toBe(403);
    expect(((await wrongRole.json()) as { error: { message: string } }).error.message).toBe('this endpoint needs the admin role; vera has viewer');
  });

  it('rejects a bad query with the place and what was expected', async () => {
    const response = await get('/calendar?from=2026-12-01', 'viewer-token');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('input-invalid');
    expect(body.error.details.map((d) => d.path)).toEqual(['query.to']);
  });

  it('returns the calendar limited to the customers the caller may see', async () => {
    const response = await get('/calendar?from=2026-12-01&to=2026-12-31', 'viewer-token');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { occurrences: Array<{ customerId: string }>; removed: Array<{ customerId: string; reason: string }> };
    expect(body.occurrences.length).toBeGreaterThan(0);
    expect(new Set(body.occurrences.map((o) => o.customerId))).toEqual(new Set(['acme']));
    expect(body.removed.some((r) => /year-end-freeze/.test(r.reason))).toBe(true);
  });

  it('serves a secret ICS feed per customer that a real iCalendar parser reads, and revokes it', async () => {
    const created = await fetch(`${base}/customers/hudson/calendar-feed`, { method: 'POST', headers: { authorization: 'Bearer admin-token' } });
    expect(created.status).toBe(200);
    const { url } = (await created.json()) as { url: string };
    const path = new URL(url).pathname;
    const feed = await get(path);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const events = Object.values(ical.sync.parseICS(await feed.text())).filter((c) => c?.type === 'VEVENT');
    expect(events.length).toBeGreaterThan(10);
    expect(events.every((e) => e !== undefined && 'summary' in e && String(e.summary).includes('(hudson)'))).toBe(true);

    expect((await get(path.replace(/\/[^/]+\.ics$/, '/wrong-secret.ics'))).status).toBe(404);
    await fetch(`${base}/customers/hudson/calendar-feed`, { method: 'DELETE', headers: { authorization: 'Bearer admin-token' } });
    expect((await get(path)).status).toBe(404);
  });

  it('publishes an OpenAPI 3.1 document and a browsable reference page', async () => {
    const document = (await (await get('/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown; parameters: Array<{ name: string }> }>> };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/calendar']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/calendar']?.get?.parameters.map((p) => p.name)).toEqual(['from', 'to', 'customer', 'host']);
    expect(document.paths['/feeds/{customerId}/{file}']).toBeDefined();
    const page = await get('/api/reference');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('redback API reference');
  });

  it('rate-limits writes per token with a 429 in the same error shape', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 61; i++) last = await fetch(`${base}/customers/sakura/calendar-feed`, { method: 'POST', headers: { authorization: 'Bearer admin-token' } });
    expect(last!.status).toBe(429);
    expect(((await last!.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const response = await get('/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });
});
