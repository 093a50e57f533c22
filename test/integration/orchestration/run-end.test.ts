import { afterEach, describe, expect, inject, it } from 'vitest';
import { FixedClock } from '../../../src/platform/clock.js';
import { dispatchBatch, plannerTick, startWorkerRole, type HostRunExecutor } from '../../../src/releases/index.js';
import { listRuns, readAudit, readEvents, storeKeys } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { waitForFinalBatch } from '../../support/orchestration/wait.js';

const BATCH = 'fleet@20300101T030000Z';
const OPEN = '2030-01-01T03:00:10Z';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the end of a host run through the worker (real Redis and BullMQ)', () => {
  it('records the outcome, the steps, the event and the audit entry of each run; a record broken during the run is written whole', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('run-end'), hosts: 3, rolloutYaml: '{ max_concurrency: "100%" }' }, new FixedClock(OPEN));
    cleanups.push(() => context.close());
    const step = { name: 'update: apt', status: 'failed', exitCode: 100, stdout: '', stderr: 'E: dpkg was interrupted …', truncatedBytes: 0, durationMs: 5 };
    const executor: HostRunExecutor = async (request) => {
      // Something outside redback overwrites the record of host 3 while it runs: the end step cannot patch it.
      if (request.host.id === fleetHostId(3)) await context.redis.hset(storeKeys(context.prefix).run(request.runId), 'record', '{broken');
      if (request.host.id === fleetHostId(1)) return { status: 'succeeded', failureClass: null, reason: null, steps: [] };
      return { status: 'failed', failureClass: 'step-failed', reason: 'step "apt" failed with exit code 100', steps: [step], retryable: false };
    };
    await plannerTick(context);
    await dispatchBatch(context, BATCH);
    const worker = startWorkerRole(context, { executor, concurrency: 3 });
    cleanups.push(() => worker.stop());
    const finished = await waitForFinalBatch(context, BATCH);
    expect(finished.status).toBe('partially-failed');

    const runs = await listRuns(context.redis, context.prefix, { batchId: BATCH });
    const byHost = new Map(runs.map((run) => [run.hostId, run]));
    expect(byHost.get(fleetHostId(1))).toMatchObject({ status: 'succeeded', failureClass: null, reason: null, steps: [], attempts: 1, finishedAt: OPEN.replace('Z', '.000Z'), durationMs: 0 });
    for (const host of [fleetHostId(2), fleetHostId(3)]) {
      expect(byHost.get(host), host).toMatchObject({ id: `${BATCH}/${host}`, batchId: BATCH, hostId: host, status: 'failed', failureClass: 'step-failed', reason: 'step "apt" failed with exit code 100', steps: [step] });
    }
    const ends = (await readEvents(context.redis, context.prefix)).filter((event) => event.type === 'run.succeeded' || event.type === 'run.failed');
    expect(ends.map((event) => `${event.hostId} ${event.type} ${event.failureClass}`).sort()).toEqual([`${fleetHostId(1)} run.succeeded null`, `${fleetHostId(2)} run.failed step-failed`, `${fleetHostId(3)} run.failed step-failed`]);
    await context.audit.flush();
    const audit = (await readAudit(context.redis, context.prefix)).filter((entry) => entry.subject.startsWith('run/'));
    const expected = [[1, 'run.succeeded'], [2, 'run.failed'], [3, 'run.failed']].flatMap(([i, end]) => [`run/${BATCH}/${fleetHostId(i as number)} run.started`, `run/${BATCH}/${fleetHostId(i as number)} ${end}`]);
    expect(audit.map((entry) => `${entry.subject} ${entry.action}`).sort()).toEqual(expected.sort());
  });
});
