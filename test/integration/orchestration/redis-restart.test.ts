import { afterEach, describe, expect, it } from 'vitest';
import { readAudit, verifyAuditChain } from '../../../src/store/index.js';
import { startFaultRig, type FaultRig } from '../../support/orchestration/fault-rig.js';
import { planBatchAround } from '../../support/orchestration/synthetic-batch.js';
import { waitFor } from '../../support/orchestration/wait.js';

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('Redis restarted (append-only file on) in the middle of a batch', () => {
  it('loses no batch, run record or audit entry, and the batch completes', async () => {
    rig = await startFaultRig('redis-restart', { hosts: 6, stepsYaml: '  - { name: work, run: sleep 1 }', rolloutYaml: '{ max_concurrency: 2 }' }, { appendOnly: true });
    const now = Date.now();
    const batchId = await planBatchAround(rig.context, { startMs: now - 1000, cutoffMs: now + 10 * 60_000 });
    rig.spawn(['scheduler']);
    rig.spawn(['worker', '--concurrency', '2']);
    const { redis, prefix } = rig.context;

    const before = await waitFor(() => `two runs to succeed\n${rig!.outputs()}`, async () => {
      const runs = await rig!.runs(batchId);
      return runs.filter((r) => r.status === 'succeeded').length >= 2 ? runs : undefined;
    });
    const auditBefore = await readAudit(redis, prefix);
    await rig.restartRedis();

    const batch = await rig.waitForFinalBatch(batchId, 120_000);
    expect(batch.status, rig.outputs()).toBe('succeeded');
    const after = await rig.runs(batchId);
    expect(after.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    for (const run of before.filter((r) => r.status === 'succeeded')) {
      expect(after.find((r) => r.id === run.id)).toMatchObject({ status: 'succeeded', startedAt: run.startedAt, finishedAt: run.finishedAt });
    }
    const auditAfter = await readAudit(redis, prefix);
    const afterIds = new Set(auditAfter.map((a) => a.id));
    expect(auditBefore.filter((a) => !afterIds.has(a.id))).toEqual([]);
    expect(auditAfter.length).toBeGreaterThan(auditBefore.length);
    expect(await verifyAuditChain(redis, prefix)).toMatchObject({ ok: true });
  }, 180_000);
});
