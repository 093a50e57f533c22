import { afterEach, describe, expect, inject, it } from 'vitest';
import { isFinalBatchStatus } from '../../../src/domain/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { dispatchBatch, plannerTick, startWorkerRole, type HostRunExecutor } from '../../../src/releases/index.js';
import { appendRunLog, getBatch, readRunLog, RUN_LOG_MAX_LINES, type RunLogLine } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId } from '../../support/orchestration/fleet-config.js';
import { runCli } from '../../support/run-cli.js';
import { waitFor } from '../../support/orchestration/wait.js';

const BATCH = 'fleet@20300101T030000Z';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function numbered(from: number, count: number): RunLogLine[] {
  return Array.from({ length: count }, (_, i) => ({ at: '2030-01-01T03:00:11.000Z', step: 'apt upgrade', stream: 'stdout' as const, line: `line ${from + i}` }));
}

describe('run logs longer than the lines they keep (real Redis)', () => {
  it('a follower gets every line once, in order, while old lines are trimmed; a late reader is told how many are gone', async () => {
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('run-log'), hosts: 1 }, new FixedClock('2030-01-01T03:00:10Z'));
    cleanups.push(() => context.close());
    const runId = `${BATCH}/${fleetHostId(1)}`;
    expect(RUN_LOG_MAX_LINES).toBe(5000);

    const followed: string[] = [];
    let next = 0;
    for (let chunk = 0; chunk < 7; chunk++) {
      await appendRunLog(context.redis, context.prefix, runId, numbered(chunk * 1000, 1000));
      const page = await readRunLog(context.redis, context.prefix, runId, next);
      expect(page.dropped, `after chunk ${chunk}`).toBe(0);
      followed.push(...page.lines.map((l) => l.line));
      next = page.next;
    }
    expect(followed).toEqual(numbered(0, 7000).map((l) => l.line));
    expect(next).toBe(7000);

    const fromStart = await readRunLog(context.redis, context.prefix, runId, 0);
    expect(fromStart.dropped).toBe(2000);
    expect(fromStart.lines).toHaveLength(5000);
    expect(fromStart.lines[0]!.line).toBe('line 2000');
    expect(fromStart.next).toBe(7000);
    const behind = await readRunLog(context.redis, context.prefix, runId, 2500);
    expect({ dropped: behind.dropped, first: behind.lines[0]!.line, count: behind.lines.length }).toEqual({ dropped: 0, first: 'line 2500', count: 4500 });
    expect(await readRunLog(context.redis, context.prefix, runId, 7000)).toEqual({ lines: [], next: 7000, dropped: 0 });
  });

  it('lines a run writes at its end count too: runs logs says how many earlier lines are gone, then shows the last 5000', async () => {
    const redisUrl = inject('redisUrl');
    const context = await fleetContext(redisUrl, { prefix: uniquePrefix('run-log-end'), hosts: 1, redisUrl }, new FixedClock('2030-01-01T03:00:10Z'));
    cleanups.push(() => context.close());
    // 6,000 lines, all still unflushed when the run ends: they go to the log in the end step.
    const executor: HostRunExecutor = async (request) => {
      for (const line of numbered(0, 6000)) request.onLine(line.step, 'stdout', line.line);
      return { status: 'succeeded', failureClass: null, reason: null, steps: [] };
    };
    const worker = startWorkerRole(context, { executor, concurrency: 1 });
    cleanups.push(() => worker.stop());
    await plannerTick(context);
    await waitFor(`batch ${BATCH} to finish`, async () => {
      await dispatchBatch(context, BATCH);
      const batch = await getBatch(context.redis, context.prefix, BATCH);
      return batch !== undefined && isFinalBatchStatus(batch.status) ? batch : undefined;
    });
    const runId = `${BATCH}/${fleetHostId(1)}`;
    const page = await readRunLog(context.redis, context.prefix, runId, 0);
    expect({ dropped: page.dropped, first: page.lines[0]?.line, last: page.lines.at(-1)?.line, next: page.next }).toEqual({ dropped: 1000, first: 'line 1000', last: 'line 5999', next: 6000 });

    const shown = await runCli(['runs', 'logs', runId, '--config', context.configDir]);
    expect(shown.code, shown.stderr).toBe(0);
    const printed = shown.stdout.trimEnd().split('\n');
    expect(printed[0]).toBe("… 1000 lines not kept here (a run log keeps its last 5000; each step's record in `redback runs show` keeps the end of its output)");
    expect(printed[1]).toMatch(/^\d\d:\d\d:\d\dZ \[apt upgrade\] line 1000$/);
    expect(printed).toHaveLength(5001);
  }, 120_000);
});
