import { afterEach, describe, expect, it } from 'vitest';
import { readEvents } from '../../../src/store/index.js';
import { startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';
import { waitFor } from '../../support/orchestration/wait.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('cutoff with real scheduler and worker processes', () => {
  it('hosts still queued when the cutoff passes do not start: they are deferred to their next window, with the reason', async () => {
    // Four hosts queued at once, one worker slot, three seconds per run, cutoff six seconds after the window opens:
    // the first runs start, and whichever is still queued at the cutoff must not.
    rig = await startFaultRig('cutoff', { hosts: 4, stepsYaml: '  - { name: slow, run: sleep 3 }', rolloutYaml: '{ max_concurrency: 4 }' });
    const children = [rig.spawn(['scheduler']), rig.spawn(['worker', '--concurrency', '1'])];
    // Plan only once both processes are up, so that the cutoff falls while hosts wait in the queue.
    await waitFor(() => `scheduler and worker to start\n${rig!.outputs()}`, async () => (children.every((c) => /running\b[^\n]*press Ctrl-C/.test(c.output())) ? true : undefined));
    const now = Date.now();
    const cutoffMs = now + 6000;
    const batchId = await planBatchAround(rig.context, { startMs: now - 1000, cutoffMs, endMs: now + 60_000 });

    const batch = await rig.waitForFinalBatch(batchId);
    const runs = await rig.runs(batchId);
    const started = runs.filter((r) => r.startedAt !== null);
    const deferred = runs.filter((r) => r.status === 'deferred');
    for (const run of started) expect(Date.parse(run.startedAt!), `${run.id} started after the cutoff`).toBeLessThan(cutoffMs);
    expect(deferred.length, rig.outputs()).toBeGreaterThan(0);
    expect(started.length + deferred.length).toBe(4);
    for (const run of deferred) {
      expect(run.startedAt).toBeNull();
      expect(run.reason).toMatch(/cutoff .* passed before the run could start; deferred to fleet@\d{8}T\d{6}Z/);
      expect(run.deferredTo).toMatch(/^fleet@/);
    }
    expect(started.length).toBeGreaterThan(0);
    expect(batch.status).toBe('partially-failed');
    const events = await readEvents(rig.context.redis, rig.context.prefix);
    expect(events.filter((e) => e.type === 'run.deferred').map((e) => e.hostId).sort()).toEqual(deferred.map((r) => r.hostId).sort());
  }, 180_000);
});
