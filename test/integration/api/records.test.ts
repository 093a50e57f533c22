import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addLiveRoutes, addRecordRoutes, buildApiServer } from '../../../src/interfaces/api/index.js';
import { tokenAuthenticator } from '../../../src/interfaces/api/token-authenticator.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { appendEvent, appendRunLog, createBatch, createToken, revokeToken, saveRun, saveUser, type BatchPlan, type RunRecord } from '../../../src/store/index.js';

describe('API records, token auth and live events (real HTTP, real Redis, real scrypt tokens)', () => {
  const redis = new Redis(inject('redisUrl'));
  const prefix = `test-api-records-${randomUUID()}`;
  let app: FastifyInstance;
  let base: string;
  let acmeViewer: string;
  let admin: string;
  const batchId = 'acme-weekly@20261206T010000Z';

  const plan = (id: string, customerId: string): BatchPlan => ({
    id,
    occurrenceId: id,
    windowId: id.split('@')[0]!,
    customerId,
    playbooks: ['update'],
    params: {},
    checkMode: false,
    approval: 'auto',
    rollout: {},
    hostIds: ['acme-web-01', 'acme-web-02'],
    windowStart: '2026-12-06T01:00:00.000Z',
    windowEnd: '2026-12-06T04:00:00.000Z',
    cutoffAt: '2026-12-06T03:30:00.000Z',
    plannedAt: '2026-12-05T01:00:00.000Z',
    plannedBy: 'system:scheduler',
  });
  const run: RunRecord = {
    id: `${batchId}/acme-web-01`, batchId, occurrenceId: batchId, windowId: 'acme-weekly', customerId: 'acme', hostId: 'acme-web-01',
    playbooks: ['update'], checkMode: false, status: 'failed', failureClass: 'step-failed', reason: 'apt-get exited 100', deferredTo: null,
    attempts: 1, workerId: 'w1', queuedAt: '2026-12-06T01:00:01.000Z', startedAt: '2026-12-06T01:00:02.000Z', finishedAt: '2026-12-06T01:02:00.000Z',
    durationMs: 118_000, steps: [{ name: 'upgrade', status: 'failed', exitCode: 100, stdout: '', stderr: 'E: broken packages', truncatedBytes: 0, durationMs: 1000 }],
  };

  beforeAll(async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    await saveUser(redis, prefix, { name: 'vera', roles: ['viewer'], customers: ['acme'], createdAt: now.toISOString(), createdBy: 'local-admin' });
    await saveUser(redis, prefix, { name: 'ada', roles: ['admin'], customers: ['*'], createdAt: now.toISOString(), createdBy: 'local-admin' });
    acmeViewer = (await createToken(redis, prefix, { user: 'vera', label: 'test', createdBy: 'local-admin', now })).token;
    admin = (await createToken(redis, prefix, { user: 'ada', label: 'test', createdBy: 'local-admin', now })).token;
    await createBatch(redis, prefix, plan(batchId, 'acme'), 'approved', now);
    await createBatch(redis, prefix, plan('hudson-weekly-apps@20261206T040000Z', 'hudson'), 'approved', now);
    await saveRun(redis, prefix, run);
    app = await buildApiServer({
      logger: silentLogger(),
      authenticate: tokenAuthenticator(redis, prefix, { cacheMs: 0 }),
      routes: [(t) => addRecordRoutes(t, { redis, prefix }), (t) => addLiveRoutes(t, { redis, prefix, logPollMs: 100 })],
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await redis.quit();
  });

  const get = (path: string, token: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('lists only the batches of the customers a token may see', async () => {
    const asViewer = (await (await get('/batches', acmeViewer)).json()) as { items: Array<{ id: string }> };
    expect(asViewer.items.map((b) => b.id)).toEqual([batchId]);
    const asAdmin = (await (await get('/batches', admin)).json()) as { items: Array<{ id: string }> };
    expect(asAdmin.items).toHaveLength(2);
    // Another customer's batch is not found, rather than forbidden: its existence is not revealed.
    expect((await get('/batches/hudson-weekly-apps@20261206T040000Z', acmeViewer)).status).toBe(404);
  });

  it('shows a batch with its hosts, and a run with its failure class and steps', async () => {
    const batch = (await (await get(`/batches/${encodeURIComponent(batchId)}`, acmeViewer)).json()) as { status: string; hosts: unknown[]; counts: { total: number } };
    expect(batch).toMatchObject({ status: 'approved', counts: { total: 2 } });
    const shown = (await (await get(`/runs/${encodeURIComponent(batchId)}/acme-web-01`, acmeViewer)).json()) as RunRecord;
    expect(shown).toMatchObject({ status: 'failed', failureClass: 'step-failed', steps: [{ exitCode: 100 }] });
    const runs = (await (await get('/runs?status=failed', acmeViewer)).json()) as { items: RunRecord[] };
    expect(runs.items.map((r) => r.id)).toEqual([run.id]);
  });

  it('lets an approver-only token read, also when 20 requests present it at once', async () => {
    const now = new Date();
    await saveUser(redis, prefix, { name: 'abe', roles: ['approver'], customers: ['acme'], createdAt: now.toISOString(), createdBy: 'local-admin' });
    const { token } = await createToken(redis, prefix, { user: 'abe', label: 'approver only', createdBy: 'local-admin', now });
    const responses = await Promise.all(Array.from({ length: 20 }, () => get('/batches', token)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('stops accepting a revoked token', async () => {
    const now = new Date();
    const { token, record } = await createToken(redis, prefix, { user: 'vera', label: 'short-lived', createdBy: 'local-admin', now });
    expect((await get('/batches', token)).status).toBe(200);
    await revokeToken(redis, prefix, record.id, 'ada', now);
    expect((await get('/batches', token)).status).toBe(401);
  });

  it('streams orchestration events and run output lines of a batch as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/events/stream?batch=${encodeURIComponent(batchId)}`, { headers: { authorization: `Bearer ${acmeViewer}` }, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil(/: connected/);
    const common = { batchId, occurrenceId: batchId, windowId: 'acme-weekly', customerId: 'acme', playbookId: 'update', at: new Date().toISOString() };
    await appendEvent(redis, prefix, { ...common, type: 'run.failed', hostId: 'acme-web-01', runId: run.id, failureClass: 'step-failed' });
    await appendEvent(redis, prefix, { ...common, batchId: 'other@20261206T010000Z', type: 'run.started', hostId: 'x', runId: 'other/x', failureClass: null });
    await appendRunLog(redis, prefix, run.id, [{ at: new Date().toISOString(), step: 'upgrade', stream: 'stdout', line: 'Reading package lists...' }]);
    await readUntil(/event: orchestration\nid: |id: [^\n]+\nevent: orchestration/);
    await readUntil(/Reading package lists/);
    controller.abort();
    expect(text).toContain('"type":"run.failed"');
    expect(text).not.toContain('other/x');
    expect(text).toMatch(/event: log\ndata: \{"runId":"acme-weekly@20261206T010000Z\/acme-web-01"/);
  });
});
