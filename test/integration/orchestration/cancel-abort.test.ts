import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readAudit, readEvents } from '../../../src/store/index.js';
import { startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';
import { waitFor } from '../../support/orchestration/wait.js';
import { runCli } from '../../support/run-cli.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

/** Pids of processes whose command line holds `marker`. */
function processesWith(marker: string): Promise<string[]> {
  return new Promise((resolve) => execFile('pgrep', ['-f', marker], (_error, stdout) => resolve(stdout.split('\n').filter((line) => line.trim() !== ''))));
}

async function twoRunsInProgress(label: string, seconds: number): Promise<{ rig: FaultRig; batchId: string; marker: string }> {
  const marker = `redback-cancel-${randomUUID()}`;
  const started = await startFaultRig(label, { hosts: 4, stepsYaml: `  - { name: long step, run: "sleep ${seconds} # ${marker}", timeout: 2m }`, rolloutYaml: '{ max_concurrency: 2 }' });
  rig = started;
  const now = Date.now();
  const batchId = await planBatchAround(started.context, { startMs: now - 1000, cutoffMs: now + 10 * 60_000 });
  started.spawn(['worker', '--concurrency', '4']);
  started.spawn(['scheduler']);
  await waitFor(() => `two runs in progress\n${started.outputs()}`, async () => ((await started.runs(batchId)).filter((r) => r.status === 'running').length === 2 ? true : undefined), 30_000, 200);
  return { rig: started, batchId, marker };
}

describe('batches cancel with real scheduler and worker processes', () => {
  it('--abort-running stops the runs in progress within seconds, class cancelled, and starts nothing else', async () => {
    const { rig, batchId, marker } = await twoRunsInProgress('cancel-abort', 60);
    // A run is `running` in the store a moment before its runner starts the step's command: wait for both commands.
    await waitFor(() => `both steps' commands to start\n${rig.outputs()}`, async () => ((await processesWith(marker)).length === 2 ? true : undefined), 15_000, 100);
    const cancelledAt = Date.now();
    const cancel = await runCli(['batches', 'cancel', batchId, '--abort-running', '--as', 'alice', '--reason', 'wrong kernel', '--config', rig.configDir]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('runs in progress are being stopped');

    const batch = await rig.waitForFinalBatch(batchId, 30_000);
    expect(Date.now() - cancelledAt).toBeLessThan(15_000); // not the 60 s the step would take
    expect(batch.status).toBe('cancelled');
    const runs = await rig.runs(batchId);
    const stopped = runs.filter((r) => r.startedAt !== null);
    expect(stopped).toHaveLength(2);
    for (const run of stopped) {
      expect(run).toMatchObject({ status: 'failed', failureClass: 'cancelled' });
      expect(run.reason).toContain('the batch was cancelled with --abort-running (wrong kernel)');
    }
    expect(runs.filter((r) => r.startedAt === null).map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(await processesWith(marker)).toEqual([]);
    const events = await readEvents(rig.context.redis, rig.context.prefix);
    expect(events.filter((e) => e.type === 'run.failed').map((e) => e.failureClass)).toEqual(['cancelled', 'cancelled']);
    const [audit] = (await readAudit(rig.context.redis, rig.context.prefix)).filter((e) => e.action === 'batch.cancelled');
    expect(audit).toMatchObject({ actor: 'alice', reason: 'wrong kernel', after: { status: 'cancelled', abortRunning: true } });
  }, 120_000);

  it('without --abort-running the runs in progress finish and succeed; nothing else starts', async () => {
    const { rig, batchId } = await twoRunsInProgress('cancel-finish', 4);
    const cancel = await runCli(['batches', 'cancel', batchId, '--config', rig.configDir]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('runs in progress finish');
    const batch = await rig.waitForFinalBatch(batchId, 30_000);
    expect(batch.status).toBe('cancelled');
    const runs = await rig.runs(batchId);
    expect(runs.filter((r) => r.startedAt !== null).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runs.filter((r) => r.startedAt === null).map((r) => r.status)).toEqual(['skipped', 'skipped']);
  }, 120_000);
});
