import { afterEach, describe, expect, inject, it } from 'vitest';
import { isFinalBatchStatus, isFinalHostState } from '../../../src/domain/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { approveBatchContent, dispatchBatch, plannerTick, principalByName, requestApproval, startWorkerRole, type HostRunExecutor, type OrchestrationContext } from '../../../src/releases/index.js';
import { batchHosts, getBatch, listRuns, readAudit, readEvents, saveUser, verifyAuditChain, type BatchRecord } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { waitFor } from '../../support/orchestration/wait.js';

const BATCH = 'fleet@20300101T030000Z';
const OPEN = '2030-01-01T03:00:10Z';

/** An in-process executor that counts how many hosts run at once and fails the hosts it is told to. */
function scriptedExecutor(failing: ReadonlySet<string> = new Set(), runMs = 30) {
  const state = { running: 0, maxRunning: 0, started: [] as string[] };
  const executor: HostRunExecutor = async (request) => {
    state.running += 1;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    state.started.push(request.host.id);
    request.onLine('hello', 'stdout', `running on ${request.host.id}`);
    await new Promise((resolve) => setTimeout(resolve, runMs));
    state.running -= 1;
    return failing.has(request.host.id)
      ? { status: 'failed', failureClass: 'step-failed', reason: 'step hello exited 1', steps: [] }
      : { status: 'succeeded', failureClass: null, reason: null, steps: [{ name: 'hello', status: 'ok', exitCode: 0, stdout: 'ok\n', stderr: '', truncatedBytes: 0, durationMs: runMs }] };
  };
  return { executor, state };
}

/** Keeps dispatching (as the scheduler's loop does) until the batch and each of its hosts are final. */
async function driveToEnd(context: OrchestrationContext, batchId: string): Promise<BatchRecord> {
  return await waitFor(`batch ${batchId} to reach a final status`, async () => {
    await dispatchBatch(context, batchId);
    const batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch === undefined || !isFinalBatchStatus(batch.status)) return undefined;
    const hosts = await batchHosts(context.redis, context.prefix, batch);
    return hosts.every((h) => isFinalHostState(h.state)) ? batch : undefined;
  });
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof fleetContext>[1], clock: FixedClock) {
  const context = await fleetContext(inject('redisUrl'), options, clock);
  cleanups.push(() => context.close());
  return context;
}

describe('orchestration pipeline (real Redis and BullMQ, in-process worker)', () => {
  it('plans an occurrence once, runs every host within max_concurrency, and the batch succeeds', async () => {
    const clock = new FixedClock(OPEN);
    const context = await setup({ prefix: uniquePrefix('pipeline'), hosts: 5, rolloutYaml: '{ max_concurrency: 2 }' }, clock);
    expect(await Promise.all([plannerTick(context), plannerTick(context)])).toEqual(expect.arrayContaining([[BATCH]]));
    const { executor, state } = scriptedExecutor();
    const worker = startWorkerRole(context, { executor, concurrency: 5 });
    cleanups.push(() => worker.stop());

    const batch = await driveToEnd(context, BATCH);
    expect(batch.status).toBe('succeeded');
    expect(state.maxRunning).toBeLessThanOrEqual(2);
    expect([...state.started].sort()).toEqual([1, 2, 3, 4, 5].map(fleetHostId));
    const runs = await listRuns(context.redis, context.prefix, { batchId: BATCH });
    expect(runs.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
    const events = await readEvents(context.redis, context.prefix);
    expect(events.filter((e) => e.type === 'batch.planned')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.succeeded').map((e) => e.runId).sort()).toEqual([1, 2, 3, 4, 5].map((i) => `${BATCH}/${fleetHostId(i)}`));
    expect(events.find((e) => e.type === 'batch.finished')).toMatchObject({ status: 'succeeded', windowId: 'fleet', customerId: 'acme' });
    await context.audit.flush();
    expect(await verifyAuditChain(context.redis, context.prefix)).toMatchObject({ ok: true });
  });

  it('max_errors 2 over 20 hosts where 5 fail: halts at the 3rd failure and starts none of the rest', async () => {
    const clock = new FixedClock(OPEN);
    const failing = new Set([2, 5, 8, 11, 14].map(fleetHostId));
    const context = await setup({ prefix: uniquePrefix('halt'), hosts: 20, rolloutYaml: '{ max_concurrency: 1, max_errors: 2 }' }, clock);
    await plannerTick(context);
    const { executor, state } = scriptedExecutor(failing, 5);
    const worker = startWorkerRole(context, { executor, concurrency: 4 });
    cleanups.push(() => worker.stop());

    const batch = await driveToEnd(context, BATCH);
    expect(batch.status).toBe('halted');
    expect(batch.statusReason).toMatch(/failures \(3\) exceeded max_errors \(2\)/);
    expect(state.started).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(fleetHostId));
    const hosts = await batchHosts(context.redis, context.prefix, batch);
    expect(hosts.filter((h) => h.state === 'skipped').map((h) => h.hostId)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map(fleetHostId));
    expect(hosts.find((h) => h.state === 'skipped')?.note).toMatch(/batch halted/);
    const events = await readEvents(context.redis, context.prefix);
    expect(events.filter((e) => e.type === 'batch.halted')).toHaveLength(1);
  });

  it('serial [1, "100%"] runs a canary alone before the rest', async () => {
    const clock = new FixedClock(OPEN);
    const context = await setup({ prefix: uniquePrefix('serial'), hosts: 4, rolloutYaml: '{ serial: [1, "100%"], max_concurrency: "100%" }' }, clock);
    await plannerTick(context);
    const order: string[] = [];
    const { executor: inner } = scriptedExecutor();
    const executor: HostRunExecutor = async (request) => {
      order.push(`start ${request.host.id}`);
      const outcome = await inner(request);
      order.push(`end ${request.host.id}`);
      return outcome;
    };
    const worker = startWorkerRole(context, { executor, concurrency: 4 });
    cleanups.push(() => worker.stop());
    expect((await driveToEnd(context, BATCH)).status).toBe('succeeded');
    expect(order.slice(0, 2)).toEqual(['start h-01', 'end h-01']);
  });

  it('approval required waits; after approval, hosts still queued when the cutoff passes are deferred, not run', async () => {
    const clock = new FixedClock(OPEN);
    const context = await setup({ prefix: uniquePrefix('cutoff'), hosts: 3, approval: 'required', duration: '1h', cutoff: '30m', rolloutYaml: '{ max_concurrency: 3 }' }, clock);
    await plannerTick(context);
    await dispatchBatch(context, BATCH);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('awaiting-approval');
    // Through the four-eyes approval service, the only way to approve: alice requests, bob (approver) approves.
    const at = clock.now().toISOString();
    await saveUser(context.redis, context.prefix, { name: 'alice', roles: ['engineer'], customers: ['acme'], createdAt: at, createdBy: 'test' });
    await saveUser(context.redis, context.prefix, { name: 'bob', roles: ['approver'], customers: ['acme'], createdAt: at, createdBy: 'test' });
    const alice = await principalByName(context.redis, context.prefix, 'alice');
    await requestApproval({ ...context, actor: 'alice' }, BATCH, alice, 'test batch');
    await expect(approveBatchContent({ ...context, actor: 'alice' }, BATCH, alice, { comment: 'mine' })).rejects.toThrow(/alice/);
    const outcome = await approveBatchContent({ ...context, actor: 'bob' }, BATCH, await principalByName(context.redis, context.prefix, 'bob'), { comment: 'reviewed' });
    expect(outcome.status).toBe('approved');
    await context.audit.flush();
    expect((await readAudit(context.redis, context.prefix)).filter((e) => e.subject === `batch/${BATCH}`).map((e) => `${e.actor} ${e.action}`)).toEqual(expect.arrayContaining(['alice approval.requested', 'alice approval.refused', 'bob approval.given', 'bob batch.approved']));
    await dispatchBatch(context, BATCH); // queues all three; no worker is running yet
    clock.set('2030-01-01T03:31:00Z'); // past the cutoff (03:30)
    const { executor, state } = scriptedExecutor();
    const worker = startWorkerRole(context, { executor, concurrency: 3 });
    cleanups.push(() => worker.stop());

    const batch = await driveToEnd(context, BATCH);
    expect(state.started).toEqual([]);
    expect(batch.status).toBe('expired');
    const runs = await listRuns(context.redis, context.prefix, { batchId: BATCH });
    expect(runs.map((r) => r.status)).toEqual(['deferred', 'deferred', 'deferred']);
    expect(runs[0]?.reason).toMatch(/cutoff 2030-01-01T03:30:00.000Z passed/);
    expect(runs[0]?.deferredTo).toBe('fleet@20310101T030000Z');
  });
});
