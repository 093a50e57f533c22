import { afterEach, describe, expect, it } from 'vitest';
import { listBatches, readAudit, readEvents } from '../../../src/store/index.js';
import { overlappingRuns, startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { waitFor } from '../../support/orchestration/wait.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('two schedulers and two workers on one Redis and one config', () => {
  it('plans each occurrence once and runs each host of a batch once, never two runs on a host at once', async () => {
    // The window opens every minute for a minute: each scheduler plans the open occurrence and the next one,
    // and both workers take jobs of the same batches.
    rig = await startFaultRig('replicas', { hosts: 4, cron: '* * * * *', duration: '1m', leadTime: '30s', stepsYaml: '  - { name: work, run: sleep 1 }', rolloutYaml: '{ max_concurrency: 4 }' });
    for (let i = 0; i < 2; i++) {
      rig.spawn(['scheduler']);
      rig.spawn(['worker', '--concurrency', '4']);
    }
    const { redis, prefix } = rig.context;
    // A batch planned late in its minute may have hosts deferred at its cutoff; any finished batch with runs will do.
    const finished = await waitFor(() => `a batch to finish with runs\n${rig!.outputs()}`, async () => {
      const done = (await listBatches(redis, prefix)).filter((b) => b.status === 'succeeded' || b.status === 'partially-failed');
      return done.length > 0 ? done : undefined;
    }, 150_000, 500);
    expect(finished.length).toBeGreaterThan(0);

    const events = await readEvents(redis, prefix, { count: 100_000 });
    const planned = countBy(events.filter((e) => e.type === 'batch.planned').map((e) => e.batchId));
    expect(planned.size).toBeGreaterThan(0);
    expect([...planned.values()].every((n) => n === 1), JSON.stringify([...planned])).toBe(true);
    const auditPlanned = countBy((await readAudit(redis, prefix)).filter((a) => a.action === 'batch.planned').map((a) => a.subject));
    expect([...auditPlanned.values()].every((n) => n === 1)).toBe(true);

    const started = countBy(events.filter((e) => e.type === 'run.started').map((e) => e.runId ?? ''));
    expect([...started.values()].every((n) => n === 1), JSON.stringify([...started])).toBe(true);
    const workers = new Set<string>();
    for (const batch of await listBatches(redis, prefix)) {
      const runs = await rig.runs(batch.id);
      for (const run of runs) if (run.workerId !== null) workers.add(run.workerId);
      expect(overlappingRuns(runs)).toEqual([]);
    }
    const allRuns = (await Promise.all((await listBatches(redis, prefix)).map((b) => rig!.runs(b.id)))).flat();
    expect(overlappingRuns(allRuns)).toEqual([]);
    expect(workers.size).toBeGreaterThan(0);
  }, 180_000);
});
