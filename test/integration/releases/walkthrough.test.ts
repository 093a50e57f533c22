import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { isFinalHostState } from '../../../src/domain/index.js';
import { approveBatchContent, dispatchBatch, plannerTick, requestApproval, startWorkerRole, type HostRunExecutor } from '../../../src/releases/index.js';
import { auditKeys, batchHosts, getBatch, type AuditEntry } from '../../../src/store/index.js';
import { runCli } from '../../support/run-cli.js';
import { waitFor } from '../../support/orchestration/wait.js';
import { BATCH, IN_WINDOW, releaseFixture, update, type ReleaseFixture } from './release-fixture.js';

/**
 * The two walk-throughs of issue 9's "Done when", ending with `redback audit export` and `redback audit verify`
 * run as an engineer would. The exports are also written to test/artifacts/releases/ for the closing note.
 */
const fixtures: ReleaseFixture[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

const succeed: HostRunExecutor = async (request) => {
  request.onLine('patch', 'stdout', `patched ${request.host.id}`);
  return { status: 'succeeded', failureClass: null, reason: null, steps: [{ name: 'patch', status: 'ok', exitCode: 0, stdout: 'ok\n', stderr: '', truncatedBytes: 0, durationMs: 1 }] };
};

async function start(label: string): Promise<ReleaseFixture> {
  const fixture = await releaseFixture(inject('redisUrl'), label);
  fixtures.push(fixture);
  await fixture.scan('h-01', [update('openssl', '3.0.15'), update('vim', '9.1', { classification: 'enhancement' })]);
  await fixture.scan('h-02', [update('openssl', '3.0.15')]);
  return fixture;
}

async function cli(fixture: ReleaseFixture, args: string[], env: NodeJS.ProcessEnv = {}) {
  return await runCli([...args, '--config', fixture.configDir], { env: { REDIS_URL: fixture.redisUrl, REDBACK_USER: '', REDBACK_TOKEN: '', ...env } });
}

async function exportTrail(fixture: ReleaseFixture, name: string): Promise<AuditEntry[]> {
  await fixture.context.audit.flush();
  const exported = await cli(fixture, ['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--customer', 'acme', '--as', 'carol']);
  expect(exported.stderr).toBe('');
  expect(exported.code).toBe(0);
  const dir = resolve('test/artifacts/releases');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.jsonl`), exported.stdout);
  return exported.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditEntry);
}

async function runToEnd(fixture: ReleaseFixture): Promise<void> {
  const worker = startWorkerRole(fixture.context, { executor: succeed, concurrency: 2 });
  stops.push(() => worker.stop());
  await waitFor('the batch to finish', async () => {
    await dispatchBatch(fixture.context, BATCH);
    const batch = await getBatch(fixture.context.redis, fixture.context.prefix, BATCH);
    if (batch?.status !== 'succeeded') return undefined;
    return (await batchHosts(fixture.context.redis, fixture.context.prefix, batch)).every((h) => isFinalHostState(h.state)) ? batch : undefined;
  });
}

describe('release walk-throughs (real Redis, BullMQ worker, the CLI for the audit trail)', () => {
  it('planned -> awaiting-approval -> approved by a second engineer -> dispatched in the window', async () => {
    const fixture = await start('walk-approve');
    const { context, clock, as } = fixture;
    expect(await plannerTick(context)).toEqual([BATCH]);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('awaiting-approval');

    const content = await requestApproval(context, BATCH, await as('alice'), 'November security patches');
    expect(content.hosts.map((h) => [h.hostId, h.taken.map((p) => `${p.name}=${p.to}`), h.left.map((p) => p.name)])).toEqual([
      ['h-01', ['openssl=3.0.15'], ['vim']],
      ['h-02', ['openssl=3.0.15'], []],
    ]);
    await expect(approveBatchContent(context, BATCH, await as('alice'), { comment: 'self' })).rejects.toThrow(/four-eyes/);
    await approveBatchContent(context, BATCH, await as('bob'), { comment: 'reviewed the diff', reviewedHash: content.hash.slice(0, 12) });
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('approved');

    // Approved before the window: nothing starts until it opens.
    await dispatchBatch(context, BATCH);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('approved');
    clock.set(IN_WINDOW);
    await dispatchBatch(context, BATCH);
    const running = await getBatch(context.redis, context.prefix, BATCH);
    expect(running?.status).toBe('running');
    expect((await batchHosts(context.redis, context.prefix, running!)).map((h) => h.state)).toEqual(['queued', 'queued']);
    await runToEnd(fixture);

    const trail = (await exportTrail(fixture, 'walk-approve')).filter((e) => e.subject === `batch/${BATCH}`);
    expect(trail.map((e) => `${e.actor} ${e.action}`)).toEqual([
      'system:scheduler batch.planned',
      'system:scheduler batch.awaiting-approval',
      'alice batch.content-computed',
      'alice approval.requested',
      'alice approval.refused',
      'bob approval.given',
      'bob batch.approved',
      'system:scheduler batch.running',
      'system:scheduler batch.succeeded',
    ]);
    expect(trail.find((e) => e.action === 'batch.approved')?.after).toEqual({ status: 'approved', approvedBy: ['bob'], contentHash: content.hash });
    const verify = await cli(fixture, ['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^Audit chain OK: \d+ entries verified\.$/m);
  });

  it('a re-scan between approval and window changes the content: the batch waits for a new approval', async () => {
    const fixture = await start('walk-rescan');
    const { context, clock, as, scan } = fixture;
    await plannerTick(context);
    const first = await requestApproval(context, BATCH, await as('alice'), 'November security patches');
    await approveBatchContent(context, BATCH, await as('bob'), { comment: 'reviewed', reviewedHash: first.hash });
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('approved');

    clock.set('2030-01-01T02:30:00Z');
    await scan('h-01', [update('openssl', '3.0.16'), update('vim', '9.1', { classification: 'enhancement' })]);
    clock.set(IN_WINDOW);
    await dispatchBatch(context, BATCH);
    const waiting = await getBatch(context.redis, context.prefix, BATCH);
    expect(waiting?.status).toBe('awaiting-approval');
    expect(waiting?.approvedBy).toBeNull();
    expect(waiting?.statusReason).toMatch(/the content changed .* approvals given for the old content are void/);
    expect((await batchHosts(context.redis, context.prefix, waiting!)).map((h) => h.state)).toEqual(['pending', 'pending']);
    expect(await context.queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 0, active: 0, delayed: 0 });

    // bob's approval for the old content does not carry over; carol approves the new content and it runs.
    const again = await approveBatchContent(context, BATCH, await as('bob'), { comment: 'new openssl is fine' });
    expect(again).toMatchObject({ counted: true, status: 'approved', evaluation: { approvers: ['bob'] } });
    await dispatchBatch(context, BATCH);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('running');
    await runToEnd(fixture);

    const trail = (await exportTrail(fixture, 'walk-rescan')).filter((e) => e.subject === `batch/${BATCH}`);
    expect(trail.map((e) => `${e.actor} ${e.action}`)).toEqual([
      'system:scheduler batch.planned',
      'system:scheduler batch.awaiting-approval',
      'alice batch.content-computed',
      'alice approval.requested',
      'bob approval.given',
      'bob batch.approved',
      'system:scheduler batch.content-changed',
      'system:scheduler approval.voided',
      'bob approval.given',
      'bob batch.approved',
      'system:scheduler batch.running',
      'system:scheduler batch.succeeded',
    ]);
    const changed = trail.find((e) => e.action === 'batch.content-changed');
    expect(changed?.before).toEqual({ hash: first.hash });
    expect(changed?.reason).toBe('planned packages changed on h-01');
    expect(trail.find((e) => e.action === 'approval.voided')?.before).toMatchObject({ status: 'approved', contentHash: first.hash, approvers: ['bob'] });
  });

  it('audit verify exits 1 and names the entry when someone edits the trail the approval service wrote', async () => {
    const fixture = await start('walk-tamper');
    const { context, as } = fixture;
    await plannerTick(context);
    await requestApproval(context, BATCH, await as('alice'));
    await approveBatchContent(context, BATCH, await as('bob'), { comment: 'ok' });
    await context.audit.flush();
    expect((await cli(fixture, ['audit', 'verify'])).code).toBe(0);

    // Someone with Redis access makes it look as if carol approved, keeping every stream id.
    const { stream } = auditKeys(context.prefix);
    const rows = await context.redis.xrange(stream, '-', '+');
    const target = rows.find(([, fields]) => (JSON.parse(fields[1]!) as AuditEntry).action === 'approval.given')![0];
    await context.redis.del(stream);
    for (const [id, fields] of rows) {
      const body = JSON.parse(fields[1]!) as Record<string, unknown>;
      await context.redis.xadd(stream, id, 'entry', JSON.stringify(id === target ? { ...body, actor: 'carol' } : body));
    }
    const verify = await cli(fixture, ['audit', 'verify']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`first broken entry: ${target}`);
    expect(verify.stdout).toMatch(/problem: its content does not match its hash \(the entry was edited\)/);
  });
});
