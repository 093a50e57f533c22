import { afterEach, describe, expect, it } from 'vitest';
import { hostLockHolder } from '../../../src/queue/index.js';
import { hostState, readEvents } from '../../../src/store/index.js';
import { overlappingRuns, startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';
import { waitFor } from '../../support/orchestration/wait.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('a worker killed in the middle of a host run', () => {
  it('the stalled job is found, the run is marked interrupted (internal), the host lock is freed, and the batch finishes', async () => {
    rig = await startFaultRig('worker-crash', { hosts: 2, stepsYaml: '  - { name: long step, run: sleep 6 }', rolloutYaml: '{ max_concurrency: 1 }' });
    const now = Date.now();
    const batchId = await planBatchAround(rig.context, { startMs: now - 1000, cutoffMs: now + 10 * 60_000 });
    rig.spawn(['scheduler']);
    const doomed = rig.spawn(['worker', '--concurrency', '2', '--stalled-after', '3s']);
    const { redis, prefix } = rig.context;

    await waitFor(() => `h-01 to be running\n${rig!.outputs()}`, async () => ((await hostState(redis, prefix, batchId, fleetHostId(1))) === 'running' ? true : undefined));
    await doomed.kill();
    rig.spawn(['worker', '--concurrency', '2', '--stalled-after', '3s']);

    const batch = await rig.waitForFinalBatch(batchId);
    const runs = await rig.runs(batchId);
    const first = runs.find((r) => r.hostId === fleetHostId(1));
    expect(first, rig.outputs()).toMatchObject({ status: 'interrupted', failureClass: 'internal' });
    expect(first?.reason).toMatch(/interrupted/);
    expect(runs.find((r) => r.hostId === fleetHostId(2))).toMatchObject({ status: 'succeeded' });
    expect(batch.status).toBe('partially-failed');
    expect(await hostLockHolder(redis, prefix, fleetHostId(1))).toBeNull();
    expect(overlappingRuns(runs)).toEqual([]);
    const events = await readEvents(redis, prefix);
    // The playbook was not started a second time on h-01.
    expect(events.filter((e) => e.type === 'run.started' && e.hostId === fleetHostId(1))).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.interrupted').map((e) => e.failureClass)).toEqual(['internal']);
  }, 180_000);
});
