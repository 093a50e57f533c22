import { afterEach, describe, expect, it } from 'vitest';
import { startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';
import { waitFor } from '../../support/orchestration/wait.js';
import { runCli } from '../../support/run-cli.js';

/**
 * `redback scheduler` runs the helpdesk beside the scheduler role: with only scheduler and worker processes (no
 * `redback serve`), a host run that fails becomes an incident.
 */
let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

interface IncidentJson {
  id: string;
  category: string;
  source: string;
  hosts: string[];
  run: { occurrenceId: string } | null;
}

describe('redback scheduler + redback worker processes, no serve', () => {
  it('a run.failed event reaches an incident', async () => {
    rig = await startFaultRig('sched-helpdesk', { hosts: 2, failingHosts: [2] });
    const now = Date.now();
    const batchId = await planBatchAround(rig.context, { startMs: now, cutoffMs: now + 120_000 });
    rig.spawn(['scheduler']);
    rig.spawn(['worker', '--concurrency', '2']);
    const batch = await rig.waitForFinalBatch(batchId);
    expect(batch.status).toBe('partially-failed');

    const configDir = rig.configDir;
    const outputs = rig.outputs;
    const incidents = await waitFor(() => `an incident for the failed run\n${outputs()}`, async () => {
      const listed = await runCli(['incidents', 'list', '--json', '--config', configDir], { env: { REDIS_URL: '' } });
      if (listed.code !== 0) throw new Error(listed.stderr);
      const parsed = JSON.parse(listed.stdout) as IncidentJson[];
      return parsed.length > 0 ? parsed : undefined;
    }, 60_000, 500);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ category: 'step-failed', source: 'run', hosts: ['h-02'], run: { occurrenceId: batchId } });
  });
});
