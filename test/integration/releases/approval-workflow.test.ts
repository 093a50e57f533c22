import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  approvalView,
  approveBatchContent,
  dispatchBatch,
  plannerTick,
  rejectBatch,
  requestApproval,
  sendApprovalReminders,
} from '../../../src/releases/index.js';
import { batchHosts, getBatch, listRuns, readAudit, readEvents } from '../../../src/store/index.js';
import { AFTER_CUTOFF, BATCH, IN_WINDOW, releaseFixture, update, type ReleaseFixture } from './release-fixture.js';

const fixtures: ReleaseFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function plannedAndRequested(label: string, options: { requiredApprovers?: number } = {}) {
  const fixture = await releaseFixture(inject('redisUrl'), label, options);
  fixtures.push(fixture);
  await fixture.scan('h-01', [update('openssl', '3.0.15'), update('vim', '9.1', { classification: 'enhancement' })]);
  await fixture.scan('h-02', [update('openssl', '3.0.15')]);
  expect(await plannerTick(fixture.context)).toEqual([BATCH]);
  await requestApproval(fixture.context, BATCH, await fixture.as('alice'), 'monthly security patches');
  return fixture;
}

describe('approval workflow (real Redis)', () => {
  it('refuses self-approval, a missing approver role and a customer out of scope, and audits each refusal', async () => {
    const { context, as } = await plannedAndRequested('refusals');
    await expect(approveBatchContent(context, BATCH, await as('alice'), { comment: 'lgtm' })).rejects.toThrow(/alice may not decide .*: they requested it, and four-eyes/);
    await expect(approveBatchContent(context, BATCH, await as('dave'), { comment: 'lgtm' })).rejects.toThrow(/the approver role is needed and they have only engineer/);
    await expect(approveBatchContent(context, BATCH, await as('frank'), { comment: 'lgtm' })).rejects.toThrow(/belongs to customer acme and their scope is globex/);
    await expect(approveBatchContent(context, BATCH, await as('local-admin'), { comment: 'lgtm' })).rejects.toThrow(/approver role is needed/);
    await expect(rejectBatch(context, BATCH, await as('alice'), { comment: 'no' })).rejects.toThrow(/four-eyes/);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('awaiting-approval');
    await context.audit.flush();
    const refusals = (await readAudit(context.redis, context.prefix, { subject: `batch/${BATCH}` })).filter((e) => e.action === 'approval.refused');
    expect(refusals.map((e) => [e.actor, (e.after as { refusal: string }).refusal])).toEqual([
      ['alice', 'self-approval'],
      ['dave', 'missing-role'],
      ['frank', 'out-of-scope'],
      ['local-admin', 'missing-role'],
      ['alice', 'self-approval'],
    ]);
  });

  it('counts an approval given twice once', async () => {
    const { context, as } = await plannedAndRequested('twice', { requiredApprovers: 2 });
    const first = await approveBatchContent(context, BATCH, await as('bob'), { comment: 'ok' });
    const second = await approveBatchContent(context, BATCH, await as('bob'), { comment: 'really ok' });
    expect(first).toMatchObject({ counted: true, status: 'awaiting-approval', evaluation: { approvers: ['bob'], needed: 2 } });
    expect(second).toMatchObject({ counted: false, status: 'awaiting-approval', evaluation: { approvers: ['bob'], needed: 2 } });
    expect((await approvalView(context, BATCH)).decisions).toHaveLength(1);
    const third = await approveBatchContent(context, BATCH, await as('carol'), { comment: 'ok' });
    expect(third).toMatchObject({ counted: true, status: 'approved', evaluation: { approvers: ['bob', 'carol'] } });
    expect((await getBatch(context.redis, context.prefix, BATCH))?.approvedBy).toBe('bob,carol');
  });

  it('voids approvals when the content changes, so a half-approved batch starts counting again', async () => {
    const { context, as, scan } = await plannedAndRequested('void', { requiredApprovers: 2 });
    const reviewed = (await approvalView(context, BATCH)).content!.hash;
    await approveBatchContent(context, BATCH, await as('bob'), { comment: 'ok', reviewedHash: reviewed });
    await scan('h-02', [update('openssl', '3.0.16')]);
    // carol reviewed the old content: her approval is refused rather than applied to content she did not see.
    await expect(approveBatchContent(context, BATCH, await as('carol'), { comment: 'ok', reviewedHash: reviewed.slice(0, 12) })).rejects.toThrow(/you reviewed content .* but its content is now/);
    const view = await approvalView(context, BATCH);
    expect(view.content!.hash).not.toBe(reviewed);
    expect(view.evaluation).toMatchObject({ state: 'awaiting', approvers: [] });
    expect(view.evaluation!.voided.map((d) => d.approver)).toEqual(['bob']);
    const outcome = await approveBatchContent(context, BATCH, await as('carol'), { comment: 'ok', reviewedHash: view.content!.hash });
    expect(outcome).toMatchObject({ status: 'awaiting-approval', evaluation: { approvers: ['carol'] } });
  });

  it('expires an approved batch at the cutoff without running it, and refuses approval after the cutoff', async () => {
    const { context, as, clock } = await plannedAndRequested('expiry');
    await approveBatchContent(context, BATCH, await as('bob'), { comment: 'ok' });
    clock.set(AFTER_CUTOFF);
    await expect(approveBatchContent(context, BATCH, await as('carol'), { comment: 'late' })).rejects.toThrow(/cutoff 2030-01-01T03:30:00.000Z has passed/);
    const batch = await getBatch(context.redis, context.prefix, BATCH);
    expect(batch?.status).toBe('expired');
    expect((await batchHosts(context.redis, context.prefix, batch!)).map((h) => h.state)).toEqual(['deferred', 'deferred']);
    expect(await listRuns(context.redis, context.prefix, { batchId: BATCH })).toHaveLength(2);
    expect((await listRuns(context.redis, context.prefix, { batchId: BATCH })).every((r) => r.status === 'deferred')).toBe(true);
  });

  it('expires a batch nobody approved: waiting never counts as approval', async () => {
    const { context, clock } = await plannedAndRequested('timeout');
    clock.set(IN_WINDOW);
    await dispatchBatch(context, BATCH);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('awaiting-approval');
    clock.set(AFTER_CUTOFF);
    await dispatchBatch(context, BATCH);
    expect((await getBatch(context.redis, context.prefix, BATCH))?.status).toBe('expired');
  });

  it('never dispatches a rejected batch', async () => {
    const { context, as, clock } = await plannedAndRequested('rejected');
    await expect(rejectBatch(context, BATCH, await as('bob'), { comment: '  ' })).rejects.toThrow(/needs a comment/);
    await rejectBatch(context, BATCH, await as('bob'), { comment: 'openssl 3.0.15 breaks the customer ERP; wait for 3.0.16' });
    await expect(approveBatchContent(context, BATCH, await as('carol'), { comment: 'ok' })).rejects.toThrow(/is cancelled; only a batch awaiting approval/);
    clock.set(IN_WINDOW);
    await dispatchBatch(context, BATCH);
    await dispatchBatch(context, BATCH);
    const batch = await getBatch(context.redis, context.prefix, BATCH);
    expect(batch).toMatchObject({ status: 'cancelled', statusReason: 'rejected by bob: openssl 3.0.15 breaks the customer ERP; wait for 3.0.16' });
    expect((await batchHosts(context.redis, context.prefix, batch!)).map((h) => h.state)).toEqual(['skipped', 'skipped']);
    expect((await listRuns(context.redis, context.prefix, { batchId: BATCH })).filter((r) => r.status !== 'skipped')).toEqual([]);
    expect(await context.queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it('reminds approvers once per reminder time before the window starts, as an awaiting-approval event', async () => {
    const fixture = await releaseFixture(inject('redisUrl'), 'reminders');
    fixtures.push(fixture);
    const { context, clock } = fixture;
    clock.set('2030-01-01T01:30:00Z');
    await plannerTick(context);
    await requestApproval(context, BATCH, await fixture.as('alice'));
    clock.set('2030-01-01T01:59:59Z');
    expect(await sendApprovalReminders(context, [BATCH])).toEqual([]);
    clock.set('2030-01-01T02:00:00Z');
    expect(await sendApprovalReminders(context, [BATCH])).toMatchObject([{ batchId: BATCH, requestedBy: 'alice', approvers: [], needed: 1 }]);
    clock.set('2030-01-01T02:10:00Z');
    expect(await sendApprovalReminders(context, [BATCH])).toEqual([]);
    const reminders = (await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'batch.awaiting-approval' && e.reason?.startsWith('reminder:'));
    expect(reminders).toHaveLength(1);
  });
});
