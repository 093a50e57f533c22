import { createServer } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { FixedClock } from '../../../src/platform/clock.js';
import { isFinalBatchStatus } from '../../../src/domain/index.js';
import { dispatchBatch, plannerTick, startWorkerRole, type HostRunExecutor } from '../../../src/releases/index.js';
import { getBatch } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId, writeFleetConfig } from '../../support/orchestration/fleet-config.js';
import { waitFor } from '../../support/orchestration/wait.js';
import { runCli } from '../../support/run-cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('redback batches and runs (subprocess)', () => {
  it('lists and shows a batch awaiting approval, cancels it, refuses a second cancel, and lists its (skipped) runs', async () => {
    const redisUrl = inject('redisUrl');
    const context = await fleetContext(redisUrl, { prefix: uniquePrefix('cli'), hosts: 2, approval: 'required', redisUrl }, new FixedClock('2030-01-01T02:59:30Z'));
    cleanups.push(() => context.close());
    await plannerTick(context); // plans fleet@20300101T030000Z: it starts within the window's 1 min lead time
    const batchId = 'fleet@20300101T030000Z';
    const args = ['--config', context.configDir];

    const listed = await runCli(['batches', 'list', '--json', ...args]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: batchId, status: 'awaiting-approval', counts: expect.objectContaining({ total: 2 }) })]);

    const human = await runCli(['batches', 'list', ...args]);
    expect(human.stdout).toMatch(/HOSTS\s+OK\s+FAIL\s+NOT-RUN\s+TO-DO\n/);
    expect(human.stdout).toMatch(new RegExp(`${batchId}\\s+awaiting-approval\\s+2030-01-01T03:00:00\\s+2\\s+0\\s+0\\s+0\\s+2\\n`));

    const shown = await runCli(['batches', 'show', batchId, ...args]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/status\s+awaiting-approval/);
    expect(shown.stdout).toMatch(/h-01\s+pending/);

    const cancelled = await runCli(['batches', 'cancel', batchId, '--as', 'alice', '--reason', 'customer asked', ...args]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(await getBatch(context.redis, context.prefix, batchId)).toMatchObject({ status: 'cancelled', statusReason: 'customer asked' });
    const again = await runCli(['batches', 'cancel', batchId, ...args]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only a batch that has not finished can be cancelled');

    // Cancelled before anything ran: both hosts skipped, so not run, and nothing left to do.
    expect((await runCli(['batches', 'list', ...args])).stdout).toMatch(new RegExp(`${batchId}\\s+cancelled\\s+\\S+\\s+2\\s+0\\s+0\\s+2\\s+0\\n`));

    const runs = await runCli(['runs', 'list', '--batch', batchId, '--json', ...args]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([expect.objectContaining({ status: 'skipped' }), expect.objectContaining({ status: 'skipped' })]);
    const missing = await runCli(['runs', 'show', `${batchId}/nope`, ...args]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  }, 120_000);

  it('says at once that Redis cannot be reached, for a one-shot command and for a role, without retrying noisily or showing the password', async () => {
    // A port nothing listens on: taken from the system, then let go.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: taken } = server.address() as { port: number };
        server.close(() => resolve(taken));
      });
    });
    const configDir = await writeFleetConfig({ prefix: uniquePrefix('no-redis'), hosts: 1 });
    const env = { REDIS_URL: `redis://ops:hunter2@127.0.0.1:${port}` };
    for (const args of [['batches', 'list'], ['worker', '--concurrency', '1']]) {
      const result = await runCli([...args, '--config', configDir], { env });
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`cannot reach Redis at 127.0.0.1:${port}: connect ECONNREFUSED`);
      expect(result.stderr).not.toContain('Unhandled error event');
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stderr + result.stdout).not.toContain('hunter2');
    }
  }, 60_000);

  it('runs show and runs logs print a finished run: its steps, then its output lines in order with the step and stderr marked', async () => {
    const redisUrl = inject('redisUrl');
    const context = await fleetContext(redisUrl, { prefix: uniquePrefix('cli-logs'), hosts: 1, redisUrl }, new FixedClock('2030-01-01T03:00:10Z'));
    cleanups.push(() => context.close());
    const executor: HostRunExecutor = async (request) => {
      request.onLine('check disk', 'stdout', 'Filesystem  Size  Used');
      request.onLine('check disk', 'stdout', '/dev/vda    252G   24G');
      request.onLine('check disk', 'stderr', 'df: /mnt/nfs: Stale file handle');
      return { status: 'succeeded', failureClass: null, reason: null, steps: [{ name: 'check disk', status: 'ok', exitCode: 0, stdout: 'Filesystem  Size  Used\n/dev/vda    252G   24G\n', stderr: 'df: /mnt/nfs: Stale file handle\n', truncatedBytes: 0, durationMs: 12 }] };
    };
    const worker = startWorkerRole(context, { executor, concurrency: 1 });
    cleanups.push(() => worker.stop());
    await plannerTick(context);
    const batchId = 'fleet@20300101T030000Z';
    await waitFor(`batch ${batchId} to finish`, async () => {
      await dispatchBatch(context, batchId);
      const batch = await getBatch(context.redis, context.prefix, batchId);
      return batch !== undefined && isFinalBatchStatus(batch.status) ? batch : undefined;
    });
    const runId = `${batchId}/${fleetHostId(1)}`;
    const args = ['--config', context.configDir];

    const shown = await runCli(['runs', 'show', runId, ...args]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/status\s+succeeded/);
    expect(shown.stdout).toMatch(/check disk: ok, exit 0, 12 ms/);

    const logs = await runCli(['runs', 'logs', runId, ...args]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.trimEnd().split('\n').map((line) => line.replace(/^\d\d:\d\d:\d\dZ /, 'T '))).toEqual([
      'T [check disk] Filesystem  Size  Used',
      'T [check disk] /dev/vda    252G   24G',
      'T [check disk] ! df: /mnt/nfs: Stale file handle',
    ]);
    const json = await runCli(['runs', 'logs', runId, '--json', '--follow', ...args]); // a finished run: --follow ends at once
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { stream: string; step: string })).toEqual([
      expect.objectContaining({ step: 'check disk', stream: 'stdout', line: 'Filesystem  Size  Used' }),
      expect.objectContaining({ stream: 'stdout', line: '/dev/vda    252G   24G' }),
      expect.objectContaining({ stream: 'stderr', line: 'df: /mnt/nfs: Stale file handle' }),
    ]);
    const missing = await runCli(['runs', 'logs', `${batchId}/nope`, ...args]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  }, 120_000);
});
