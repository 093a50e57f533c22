import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { newRunRecord } from '../../../src/releases/host-outcomes.js';
import {
  beginHostRun,
  createBatch,
  endHostRun,
  finishHostRun,
  getRun,
  listRuns,
  readAudit,
  readEvents,
  setBatchStatus,
  storeKeys,
  queueHostRuns,
  type BatchPlan,
  type BeginRunOptions,
  type RunRecord,
} from '../../../src/store/index.js';

const NOW = new Date('2030-01-01T03:10:00Z');

function planOf(hostIds: string[]): BatchPlan {
  return {
    id: `w@${randomUUID().slice(0, 8)}`,
    occurrenceId: 'w@20300101T030000Z',
    windowId: 'w',
    customerId: 'acme',
    playbooks: ['update'],
    params: {},
    checkMode: false,
    approval: 'auto',
    rollout: {},
    hostIds,
    windowStart: '2030-01-01T03:00:00.000Z',
    windowEnd: '2030-01-01T05:00:00.000Z',
    cutoffAt: '2030-01-01T04:30:00.000Z',
    plannedAt: '2030-01-01T02:00:00.000Z',
    plannedBy: 'system:test',
  };
}

function beginOptions(plan: BatchPlan, hostId: string, now = NOW, lockToken = `token-${hostId}`): BeginRunOptions {
  return {
    lockToken,
    lockTtlMs: 30_000,
    now,
    workerId: 'worker-1',
    actor: 'system:worker',
  };
}

describe('host run start and end steps (real Redis)', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await redis.quit();
  });

  async function runningBatch(hostIds: string[]): Promise<{ prefix: string; plan: BatchPlan }> {
    const prefix = `test-run-phases-${randomUUID()}`;
    const plan = planOf(hostIds);
    await createBatch(redis, prefix, plan, 'running', NOW);
    await queueHostRuns(redis, prefix, plan, hostIds.map((hostId) => newRunRecord(plan, hostId, NOW)), hostIds.length);
    return { prefix, plan };
  }

  it('starts a queued host in one step: lock, state, record (attempt 1), event and audit entry with the attempt', async () => {
    const { prefix, plan } = await runningBatch(['h1']);
    const queued = (await getRun(redis, prefix, `${plan.id}/h1`))!;
    expect(await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'))).toEqual({ kind: 'started', attempts: 1 });
    expect(await getRun(redis, prefix, `${plan.id}/h1`)).toEqual({ ...queued, status: 'running', attempts: 1, workerId: 'worker-1', startedAt: NOW.toISOString(), steps: [], reason: null, failureClass: null });
    expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h1')).toBe('running');
    expect(await redis.get(storeKeys(prefix).hostLock('h1'))).toBe('token-h1');
    // The event and the audit entry are written from the stored record, in the same step.
    const events = (await readEvents(redis, prefix)).filter((e) => e.type === 'run.started');
    expect(events).toEqual([{ id: expect.any(String), type: 'run.started', batchId: plan.id, occurrenceId: plan.occurrenceId, windowId: plan.windowId, customerId: 'acme', hostId: 'h1', playbookId: 'update', failureClass: null, runId: `${plan.id}/h1`, at: NOW.toISOString() }]);
    const [entry] = (await readAudit(redis, prefix)).filter((e) => e.subject === `run/${plan.id}/h1`);
    expect(entry).toMatchObject({ at: NOW.toISOString(), actor: 'system:worker', action: 'run.started', customerId: 'acme', before: { status: 'queued' }, after: { status: 'running', worker: 'worker-1', attempt: 1 }, reason: null });
  });

  it('changes nothing and says why when the batch is not running, the cutoff passed, the host is locked or done', async () => {
    const { prefix, plan } = await runningBatch(['h1', 'h2', 'h3']);
    // The cutoff: a queued host does not start at or after it.
    expect(await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1', new Date(plan.cutoffAt)))).toEqual({ kind: 'cutoff' });
    // Another run holds the host's lock.
    await redis.set(storeKeys(prefix).hostLock('h2'), 'someone-else');
    expect(await beginHostRun(redis, prefix, plan, 'h2', beginOptions(plan, 'h2'))).toEqual({ kind: 'busy' });
    expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h2')).toBe('queued');
    // A host not in the batch (or finished) is a duplicate delivery.
    expect(await beginHostRun(redis, prefix, plan, 'nope', beginOptions(plan, 'nope'))).toEqual({ kind: 'done', state: undefined });
    // The batch halted: nothing starts.
    await setBatchStatus(redis, prefix, plan.id, ['running'], 'halted', NOW);
    expect(await beginHostRun(redis, prefix, plan, 'h3', beginOptions(plan, 'h3'))).toEqual({ kind: 'batch-not-running', status: 'halted' });
    expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h3')).toBe('queued');
    expect(await redis.exists(storeKeys(prefix).hostLock('h3'))).toBe(0);
    expect((await getRun(redis, prefix, `${plan.id}/h3`))?.status).toBe('queued');
  });

  it('a host left running by a dead worker is reported with the lock taken, not started again', async () => {
    const { prefix, plan } = await runningBatch(['h1']);
    await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1', NOW, 'dead-worker'));
    await redis.del(storeKeys(prefix).hostLock('h1')); // its lock expired
    expect(await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1', NOW, 'new-worker'))).toEqual({ kind: 'not-queued', state: 'running' });
    expect(await redis.get(storeKeys(prefix).hostLock('h1'))).toBe('new-worker');
    expect((await getRun(redis, prefix, `${plan.id}/h1`))?.attempts).toBe(1);
  });

  it('a dead worker\'s run is reported for closing even when its batch has halted since, so it does not stay in flight', async () => {
    const { prefix, plan } = await runningBatch(['h1']);
    await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1', NOW, 'dead-worker'));
    await redis.del(storeKeys(prefix).hostLock('h1'));
    await setBatchStatus(redis, prefix, plan.id, ['running'], 'halted', NOW);
    expect(await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1', new Date(plan.cutoffAt), 'new-worker'))).toEqual({ kind: 'not-queued', state: 'running' });
  });

  it('ends a run in one step: record, state, event, audit entry, and the release of its own lock only', async () => {
    const { prefix, plan } = await runningBatch(['h1', 'h2']);
    await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
    const begun = { record: (await getRun(redis, prefix, `${plan.id}/h1`))! };
    const finished = new Date(NOW.getTime() + 5000);
    const step = { name: 'update: apt', status: 'changed', exitCode: 0, stdout: 'ok', stderr: '', truncatedBytes: 0, durationMs: 4000 };
    const ended = await finishHostRun(redis, prefix, plan, 'h1', {
      from: ['running'],
      to: 'succeeded',
      record: { ...begun.record, status: 'succeeded', steps: [step], finishedAt: finished.toISOString(), durationMs: 5000 },
      audit: { actor: 'system:worker', action: 'run.succeeded', subject: `run/${plan.id}/h1`, customerId: 'acme', before: { status: 'running' }, after: { status: 'succeeded' }, at: finished },
      lockToken: 'token-h1',
    });
    expect(ended).toEqual({ previous: 'running', counts: { dispatched: 2, inFlight: 1, succeeded: 1, failed: 0, notRun: 0 } });
    expect(await redis.exists(storeKeys(prefix).hostLock('h1'))).toBe(0);
    expect(await getRun(redis, prefix, `${plan.id}/h1`)).toMatchObject({ status: 'succeeded', steps: [step], durationMs: 5000 });
    expect((await readAudit(redis, prefix)).map((e) => e.action)).toEqual(['run.started', 'run.succeeded']);

    // A lock that is not ours (the run lost it, and another took it) stays.
    await beginHostRun(redis, prefix, plan, 'h2', beginOptions(plan, 'h2'));
    await redis.set(storeKeys(prefix).hostLock('h2'), 'another-run');
    await finishHostRun(redis, prefix, plan, 'h2', { from: ['running'], to: 'failed', record: { ...begun.record, id: `${plan.id}/h2`, hostId: 'h2', status: 'failed' }, lockToken: 'token-h2' });
    expect(await redis.get(storeKeys(prefix).hostLock('h2'))).toBe('another-run');
  });

  it('texts beyond ASCII (output, reasons, notes, log lines) are stored as they were', async () => {
    const { prefix, plan } = await runningBatch(['h1']);
    await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
    const begun = { record: (await getRun(redis, prefix, `${plan.id}/h1`))! };
    const reason = 'step "mise à jour" failed: E: Paket „libc6“ kaputt … 🚀';
    const step = { name: 'update: apt …', status: 'failed', exitCode: 100, stdout: 'Größe ☕', stderr: '🚀 lift-off', truncatedBytes: 0, durationMs: 10 };
    await finishHostRun(redis, prefix, plan, 'h1', {
      from: ['running'],
      to: 'failed',
      note: reason,
      record: { ...begun.record, status: 'failed', reason, steps: [step] },
      event: { type: 'run.failed', batchId: plan.id, occurrenceId: plan.occurrenceId, windowId: plan.windowId, customerId: plan.customerId, hostId: 'h1', playbookId: 'update', failureClass: 'step-failed', runId: `${plan.id}/h1`, at: NOW.toISOString(), reason },
      audit: { actor: 'system:worker', action: 'run.failed', subject: `run/${plan.id}/h1`, customerId: 'acme', before: { status: 'running' }, after: { status: 'failed' }, reason, at: NOW },
      lockToken: 'token-h1',
      log: [{ at: NOW.toISOString(), step: 'update: apt …', stream: 'stdout', line: 'Größe ☕ 🚀' }],
    });
    expect(await getRun(redis, prefix, `${plan.id}/h1`)).toMatchObject({ reason, steps: [step] });
    expect(await redis.hget(storeKeys(prefix).batchNotes(plan.id), 'h1')).toBe(reason);
    expect((await readEvents(redis, prefix)).find((e) => e.type === 'run.failed')?.reason).toBe(reason);
    expect((await readAudit(redis, prefix)).find((e) => e.action === 'run.failed')?.reason).toBe(reason);
    expect(JSON.parse((await redis.lrange(storeKeys(prefix).runLog(`${plan.id}/h1`), 0, -1))[0]!)).toMatchObject({ step: 'update: apt …', line: 'Größe ☕ 🚀' });
  });

  it('a stored record Redis\'s cjson cannot read is refused before the lock is taken; saveRun writes texts it can read', async () => {
    const { prefix, plan } = await runningBatch(['h1', 'h2']);
    const runKey = storeKeys(prefix).run(`${plan.id}/h1`);
    // As JSON.stringify writes a reason cut in the middle of an emoji: a lone surrogate escape.
    const stored = JSON.parse((await redis.hget(runKey, 'record'))!) as RunRecord;
    await redis.hset(runKey, 'record', JSON.stringify({ ...stored, reason: ('x'.repeat(9) + '\u{1F680}').slice(0, 10) }));
    const refused = await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
    expect(refused.kind).toBe('bad-record');
    expect(await redis.exists(storeKeys(prefix).hostLock('h1'))).toBe(0);
    expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h1')).toBe('queued');

    const { saveRun } = await import('../../../src/store/index.js');
    await saveRun(redis, prefix, { ...stored, reason: ('x'.repeat(9) + '\u{1F680}').slice(0, 10), steps: [{ name: 'half \uD83D', status: 'failed', exitCode: 1, stdout: 'out \uDE80', stderr: '', truncatedBytes: 0, durationMs: 1 }] });
    expect((await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'))).kind).toBe('started');
    expect((await getRun(redis, prefix, `${plan.id}/h1`))!.steps[0]).toMatchObject({ name: 'half \uFFFD', stdout: 'out \uFFFD' });
  });

  it('a retried host keeps the steps of its failed attempt until the new attempt ends, and counts attempts', async () => {
    const { prefix, plan } = await runningBatch(['h1']);
    const runId = `${plan.id}/h1`;
    await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
    const first = { record: (await getRun(redis, prefix, runId))! };
    // As the processor does for a retryable failure: back to queued with the failed attempt's steps.
    const step = { name: 'update: apt', status: 'failed', exitCode: 100, stdout: '', stderr: 'Could not resolve "deb.debian.org"', truncatedBytes: 0, durationMs: 10 };
    await redis.hset(storeKeys(prefix).batchHosts(plan.id), 'h1', 'queued');
    await redis.del(storeKeys(prefix).hostLock('h1'));
    const { saveRun } = await import('../../../src/store/index.js');
    await saveRun(redis, prefix, { ...first.record, status: 'queued', steps: [step] });
    expect(await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'))).toEqual({ kind: 'started', attempts: 2 });
    expect(await getRun(redis, prefix, runId)).toMatchObject({ id: runId, attempts: 2, status: 'running', steps: [step] });
  });

  describe('endHostRun: the end of a run this worker started', () => {
    const FINISHED = new Date(NOW.getTime() + 7000);
    const step = { name: 'update: apt', status: 'failed', exitCode: 100, stdout: '', stderr: 'E: Paket „libc6“ kaputt …', truncatedBytes: 0, durationMs: 6000 };
    const reason = 'step "apt" failed with exit code 100: E: Paket „libc6“ kaputt …';

    it('patches the stored record, moves the host, writes the event and audit entry from the record, appends the log, frees its lock', async () => {
      const { prefix, plan } = await runningBatch(['h1', 'h2']);
      const runId = `${plan.id}/h1`;
      await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
      const started = (await getRun(redis, prefix, runId))!;
      const ended = await endHostRun(redis, prefix, plan, 'h1', {
        to: 'failed', failureClass: 'step-failed', reason, steps: [step], finishedAt: FINISHED, durationMs: 7000, actor: 'system:worker', lockToken: 'token-h1',
        log: [{ at: FINISHED.toISOString(), step: 'update: apt', stream: 'stderr', line: 'E: Paket „libc6“ kaputt …' }],
      });
      expect(ended).toEqual({ kind: 'ended', previous: 'running', counts: { dispatched: 2, inFlight: 1, succeeded: 0, failed: 1, notRun: 0 } });
      expect(await getRun(redis, prefix, runId)).toEqual({ ...started, status: 'failed', failureClass: 'step-failed', reason, steps: [step], finishedAt: FINISHED.toISOString(), durationMs: 7000 });
      expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h1')).toBe('failed');
      expect(await redis.hget(storeKeys(prefix).batchNotes(plan.id), 'h1')).toBe(reason);
      expect(await redis.exists(storeKeys(prefix).hostLock('h1'))).toBe(0);
      expect((await listRuns(redis, prefix, { status: 'failed' })).map((r) => r.id)).toEqual([runId]);
      expect((await listRuns(redis, prefix, { status: 'running' })).map((r) => r.id)).toEqual([]);
      const event = (await readEvents(redis, prefix)).find((e) => e.type === 'run.failed');
      expect(event).toEqual({ id: expect.any(String), type: 'run.failed', batchId: plan.id, occurrenceId: plan.occurrenceId, windowId: plan.windowId, customerId: 'acme', hostId: 'h1', playbookId: 'update', failureClass: 'step-failed', runId, at: FINISHED.toISOString(), reason });
      const entry = (await readAudit(redis, prefix)).find((e) => e.action === 'run.failed');
      expect(entry).toMatchObject({ at: FINISHED.toISOString(), actor: 'system:worker', subject: `run/${runId}`, customerId: 'acme', before: { status: 'running' }, after: { status: 'failed', failureClass: 'step-failed' }, reason });
      expect((await redis.lrange(storeKeys(prefix).runLog(runId), 0, -1)).map((line) => JSON.parse(line).line)).toEqual(['E: Paket „libc6“ kaputt …']);
      expect(await redis.hget(storeKeys(prefix).run(runId), 'logLines')).toBe('1');
    });

    it('a success has no class and no reason; the event has no reason field', async () => {
      const { prefix, plan } = await runningBatch(['h1']);
      await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
      await endHostRun(redis, prefix, plan, 'h1', { to: 'succeeded', failureClass: null, reason: null, steps: [], finishedAt: FINISHED, durationMs: 7000, actor: 'system:worker', lockToken: 'token-h1' });
      expect(await getRun(redis, prefix, `${plan.id}/h1`)).toMatchObject({ status: 'succeeded', failureClass: null, reason: null, steps: [] });
      const event = (await readEvents(redis, prefix)).find((e) => e.type === 'run.succeeded')!;
      expect(event.failureClass).toBeNull();
      expect('reason' in event).toBe(false);
      expect((await readAudit(redis, prefix)).find((e) => e.action === 'run.succeeded')).toMatchObject({ after: { status: 'succeeded', failureClass: null }, reason: null });
    });

    it('a host no longer running is left as it is; a record it cannot read changes nothing but the lock', async () => {
      const { prefix, plan } = await runningBatch(['h1', 'h2']);
      await beginHostRun(redis, prefix, plan, 'h1', beginOptions(plan, 'h1'));
      await redis.hset(storeKeys(prefix).batchHosts(plan.id), 'h1', 'succeeded');
      const end = { to: 'failed' as const, failureClass: 'internal' as const, reason: 'x', steps: [], finishedAt: FINISHED, durationMs: 1, actor: 'system:worker' };
      expect(await endHostRun(redis, prefix, plan, 'h1', { ...end, lockToken: 'token-h1' })).toEqual({ kind: 'not-running' });
      expect(await redis.exists(storeKeys(prefix).hostLock('h1'))).toBe(0);
      expect((await getRun(redis, prefix, `${plan.id}/h1`))?.status).toBe('running');

      await beginHostRun(redis, prefix, plan, 'h2', beginOptions(plan, 'h2'));
      await redis.hset(storeKeys(prefix).run(`${plan.id}/h2`), 'record', '{not json');
      expect(await endHostRun(redis, prefix, plan, 'h2', { ...end, lockToken: 'token-h2' })).toMatchObject({ kind: 'unreadable' });
      expect(await redis.hget(storeKeys(prefix).batchHosts(plan.id), 'h2')).toBe('running');
      expect(await redis.exists(storeKeys(prefix).hostLock('h2'))).toBe(0);
      expect((await readEvents(redis, prefix)).filter((e) => e.type === 'run.failed')).toEqual([]);
    });
  });
});
