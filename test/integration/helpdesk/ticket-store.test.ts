import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ITIL_PRIORITY_MATRIX } from '../../../src/domain/priority.js';
import { startClock } from '../../../src/domain/sla/index.js';
import { IncidentRepository, type IncidentRecord } from '../../../src/store/incidents.js';
import { ProblemRepository } from '../../../src/store/problems.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(async () => {
  await redis.quit();
});

function draft(overrides: Partial<IncidentRecord> = {}): Omit<IncidentRecord, 'id'> {
  const openedAt = overrides.openedAt ?? '2026-04-13T07:00:00.000Z';
  return {
    customerId: 'acme',
    title: 'cannot print',
    source: 'manual',
    category: 'printing',
    impact: 'low',
    urgency: 'low',
    priority: ITIL_PRIORITY_MATRIX.low.low,
    status: 'new',
    assignee: null,
    hosts: [],
    sla: { response: startClock(1000, new Date(openedAt)), resolution: startClock(2000, new Date(openedAt)), responseDueAt: null, resolutionDueAt: null, emitted: [] },
    run: null,
    alert: null,
    waitingUntil: null,
    problemIds: [],
    resolvedAt: null,
    closedAt: null,
    resolution: null,
    openedAt,
    updatedAt: openedAt,
    dedupeKey: null,
    ...overrides,
  };
}
const entry = { at: '2026-04-13T07:00:00.000Z', actor: 'test', action: 'incident.opened' };

describe('incident repository on Redis', () => {
  it('gives human ids INC-000001, INC-000002 from a counter and reads the record back', async () => {
    const repo = new IncidentRepository(redis, `t-${randomUUID()}`);
    const first = await repo.create(draft(), entry);
    const second = await repo.create(draft({ title: 'no mail' }), entry);
    expect(first.record.id).toBe('INC-000001');
    expect(second.record.id).toBe('INC-000002');
    expect((await repo.require('INC-000002')).title).toBe('no mail');
    await expect(repo.require('INC-000099')).rejects.toThrow(/incident INC-000099 does not exist; list them with `redback incidents list`/);
  });

  it('returns the open record instead of creating a second one with the same dedupe key, and frees the key once resolved', async () => {
    const repo = new IncidentRepository(redis, `t-${randomUUID()}`);
    const first = await repo.create(draft({ dedupeKey: 'alert/disk-full' }), entry);
    const again = await repo.create(draft({ dedupeKey: 'alert/disk-full' }), entry);
    expect(again).toMatchObject({ created: false, record: { id: first.record.id } });
    await repo.update(first.record.id, (r) => ({ record: { ...r, status: 'resolved' }, timeline: [] }));
    const fresh = await repo.create(draft({ dedupeKey: 'alert/disk-full' }), entry);
    expect(fresh.created).toBe(true);
    expect(fresh.record.id).not.toBe(first.record.id);
  });

  it('loses no update when twenty writers add a host at the same time', async () => {
    const repo = new IncidentRepository(redis, `t-${randomUUID()}`);
    const { record } = await repo.create(draft(), entry);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repo.update(record.id, (r) => ({ record: { ...r, hosts: [...r.hosts, `h${i}`] }, timeline: [{ ...entry, action: 'incident.host-joined', text: `h${i}` }] })),
      ),
    );
    const stored = await repo.require(record.id);
    expect(stored.hosts).toHaveLength(20);
    expect(new Set(stored.hosts).size).toBe(20);
    expect(await repo.timeline(record.id)).toHaveLength(21);
  });

  it('lists newest first, by customer and by status, keeping the status index in step with updates', async () => {
    const repo = new IncidentRepository(redis, `t-${randomUUID()}`);
    const a = await repo.create(draft({ openedAt: '2026-04-13T07:00:00.000Z' }), entry);
    const b = await repo.create(draft({ openedAt: '2026-04-13T08:00:00.000Z', customerId: 'globex' }), entry);
    const c = await repo.create(draft({ openedAt: '2026-04-13T09:00:00.000Z' }), entry);
    await repo.update(a.record.id, (r) => ({ record: { ...r, status: 'assigned' }, timeline: [] }));
    expect((await repo.list()).map((r) => r.id)).toEqual([c.record.id, b.record.id, a.record.id]);
    expect((await repo.list({ customerId: 'acme' })).map((r) => r.id)).toEqual([c.record.id, a.record.id]);
    expect((await repo.list({ statuses: ['new'] })).map((r) => r.id)).toEqual([c.record.id, b.record.id]);
    expect((await repo.list({ customerId: 'acme', statuses: ['assigned'] })).map((r) => r.id)).toEqual([a.record.id]);
    expect(await redis.zrange(repo.keys.byStatus('new'), '0', '-1')).not.toContain(a.record.id);
  });

  it('keeps problem ids in their own sequence, PRB-000001', async () => {
    const prefix = `t-${randomUUID()}`;
    await new IncidentRepository(redis, prefix).create(draft(), entry);
    const problems = new ProblemRepository(redis, prefix);
    const { record } = await problems.create(
      {
        customerId: null, title: 'patch fails everywhere', source: 'helpdesk', category: 'step-failed', impact: 'medium', urgency: 'medium', priority: 3,
        status: 'new', assignee: null, effort: null, incidentIds: [], trigger: null, knownErrorWorkaround: null, resolvedAt: null, closedAt: null,
        resolution: null, openedAt: entry.at, updatedAt: entry.at, dedupeKey: null,
      },
      { ...entry, action: 'problem.opened' },
    );
    expect(record.id).toBe('PRB-000001');
  });
});
