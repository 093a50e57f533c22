import { afterEach, describe, expect, it } from 'vitest';
import { readEvents } from '../../../src/store/index.js';
import { startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('max_errors with real scheduler and worker processes', () => {
  it('max_errors 2 over 20 hosts where 5 fail: the batch halts at the 3rd failure and the rest are not started', async () => {
    rig = await startFaultRig('max-errors', { hosts: 20, failingHosts: [2, 5, 8, 11, 14], rolloutYaml: '{ max_concurrency: 1, max_errors: 2 }' });
    const now = Date.now();
    const batchId = await planBatchAround(rig.context, { startMs: now - 1000, cutoffMs: now + 10 * 60_000 });
    rig.spawn(['worker', '--concurrency', '4']);
    rig.spawn(['scheduler']);

    const batch = await rig.waitForFinalBatch(batchId);
    expect(batch.status, rig.outputs()).toBe('halted');
    const runs = await rig.runs(batchId);
    const byHost = new Map(runs.map((r) => [r.hostId, r]));
    const started = runs.filter((r) => r.startedAt !== null).map((r) => r.hostId).sort();
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(fleetHostId));
    expect([2, 5, 8].map((i) => byHost.get(fleetHostId(i))?.failureClass)).toEqual(['step-failed', 'step-failed', 'step-failed']);
    for (let i = 9; i <= 20; i++) expect(byHost.get(fleetHostId(i))).toMatchObject({ status: 'skipped', startedAt: null });
    const events = await readEvents(rig.context.redis, rig.context.prefix);
    expect(events.filter((e) => e.type === 'batch.halted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.failed').map((e) => e.hostId)).toEqual([2, 5, 8].map(fleetHostId));
  }, 180_000);
});
