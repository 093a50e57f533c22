import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { approveEmergencyBatch, ingestDocument, moveEmergencyBatch } from '../../../src/advisories/index.js';
import { dispatchBatch, principalByName, requestApproval } from '../../../src/releases/index.js';
import { batchHosts, listBatches, readAudit, requireBatch, type BatchRecord } from '../../../src/store/index.js';
import { runCli } from '../../support/run-cli.js';
import { advisoryRig, CVSS_9_8, exampleOsv, type AdvisoryRig } from './advisory-rig.js';

/**
 * Moving an emergency window, against real Redis: acme's contract says critical within 72 h; on Tuesday
 * 2030-01-01 10:00Z its Sunday window is too late, so a critical advisory gets an emergency batch from now to the
 * due time 2030-01-04T10:00Z. Engineers move it (re-planned under a new id with the same hosts, packages and due
 * time), which voids the acceptance and approvals given so far; moves are audited and idempotent; a move past the
 * due time needs --past-due and a reason; a batch that has started cannot be moved.
 */
const NOW = '2030-01-01T10:00:00Z';
const DUE = '2030-01-04T10:00:00.000Z';
let rig: AdvisoryRig;
let advisoryId: string;
let original: BatchRecord;

const acmeBatches = async () => (await listBatches(rig.redis, rig.context.prefix)).filter((b) => b.customerId === 'acme');
const who = (name: string) => principalByName(rig.redis, rig.context.prefix, name);
const auditOf = async (subject: string) => {
  await rig.context.audit.flush();
  return (await readAudit(rig.redis, rig.context.prefix)).filter((e) => e.subject === subject);
};

beforeAll(async () => {
  rig = await advisoryRig({ redisUrl: inject('redisUrl'), label: 'move-emergency', now: NOW, acmeContract: '      emergency_patch: { critical: 72h }\n', betaContract: '      urgency: { cvss_threshold: 10 }\n' });
  const result = await ingestDocument(rig.services, { source: 'RBU-2030-0098.json', bytes: exampleOsv('RBU-2030-0098', CVSS_9_8) }, { actor: 'system:advisories' });
  expect(result.status).toBe('stored');
  advisoryId = result.id!;
  const batches = await acmeBatches();
  expect(batches).toHaveLength(1);
  original = batches[0]!;
  expect(original).toMatchObject({ status: 'awaiting-approval', windowStart: '2030-01-01T10:00:00.000Z', windowEnd: DUE, hostIds: ['acme-01'] });
});

afterAll(async () => {
  await rig?.close();
});

describe('moveEmergencyBatch', () => {
  let moved: string;

  it('refuses what it must: a start after the due time without --past-due, --past-due without a reason, a start in the past, a viewer, a regular batch', async () => {
    const alice = await who('alice');
    await expect(moveEmergencyBatch(rig.context, original.id, alice, { to: new Date('2030-01-05T10:00:00Z') })).rejects.toThrow(/not before the contract's due time 2030-01-04T10:00:00.000Z for customer acme; .*--past-due/);
    await expect(moveEmergencyBatch(rig.context, original.id, alice, { to: new Date('2030-01-05T10:00:00Z'), pastDue: true })).rejects.toThrow(/needs --reason/);
    await expect(moveEmergencyBatch(rig.context, original.id, alice, { to: new Date('2030-01-01T09:00:00Z') })).rejects.toThrow(/is in the past/);
    await expect(moveEmergencyBatch(rig.context, original.id, await who('victor'), { to: new Date('2030-01-02T22:00:00Z') })).rejects.toThrow(/victor may not move/);
    await expect(moveEmergencyBatch(rig.context, 'acme-weekly@20300106T020000Z', alice, { to: new Date('2030-01-02T22:00:00Z') })).rejects.toThrow(/does not exist/);
    expect((await requireBatch(rig.redis, rig.context.prefix, original.id)).status).toBe('awaiting-approval');
    expect(await acmeBatches()).toHaveLength(1);
  });

  it('moves an accepted batch: same hosts, packages and due time at the new start; the old one is cancelled; the acceptance is void; audited with who and why', async () => {
    await requestApproval(rig.context, original.id, await who('alice'), 'looks right');
    const result = await moveEmergencyBatch(rig.context, original.id, await who('bob'), { to: new Date('2030-01-02T22:00:00.900Z'), reason: 'customer asks for the night' });
    moved = result.batchId;
    expect(moved).toBe(original.id.replace('@20300101T100000Z+', '@20300102T220000Z+'));
    expect(result).toEqual({ from: original.id, batchId: moved, changed: true, windowStart: '2030-01-02T22:00:00.000Z', windowEnd: DUE, cutoffAt: '2030-01-04T09:00:00.000Z', dueAt: DUE, pastDue: false, voidedApprovers: [], voidedRequester: 'alice' });

    const old = await requireBatch(rig.redis, rig.context.prefix, original.id);
    expect(old.status).toBe('cancelled');
    expect(old.statusReason).toBe(`moved to 2030-01-02T22:00:00.000Z by bob: customer asks for the night (now batch ${moved})`);
    expect((await batchHosts(rig.redis, rig.context.prefix, old)).map((h) => h.state)).toEqual(['skipped']);
    const next = await requireBatch(rig.redis, rig.context.prefix, moved);
    expect(next).toMatchObject({ status: 'awaiting-approval', hostIds: original.hostIds, playbooks: original.playbooks, params: original.params, rollout: original.rollout, approval: 'required', windowId: original.windowId, plannedBy: 'bob', emergency: { advisoryId, dueAt: DUE, movedFrom: original.id } });
    expect(next.params.packages).toEqual([{ name: 'libexample1' }]);
    expect((await rig.services.store.actions(advisoryId, 'acme'))?.batches.map((b) => b.batchId)).toEqual([moved]);

    const trail = (await auditOf(`batch/${original.id}`)).map((e) => [e.action, e.actor, e.reason ?? null]);
    expect(trail.slice(-3)).toEqual([
      ['batch.moved', 'bob', 'customer asks for the night'],
      ['batch.cancelled', 'bob', 'moved to 2030-01-02T22:00:00.000Z by bob: customer asks for the night'],
      ['approval.voided', 'bob', expect.stringMatching(/approvals are given for a batch at its time/)],
    ]);
    const movedEntry = (await auditOf(`batch/${original.id}`)).find((e) => e.action === 'batch.moved')!;
    expect(movedEntry.before).toMatchObject({ status: 'awaiting-approval', windowStart: '2030-01-01T10:00:00.000Z' });
    expect(movedEntry.after).toMatchObject({ batchId: moved, windowStart: '2030-01-02T22:00:00.000Z', dueAt: DUE, pastDue: false });
    expect((await auditOf(`batch/${moved}`)).map((e) => e.action)).toEqual(['batch.planned', 'batch.awaiting-approval']);

    // The acceptance did not carry over: a second engineer cannot approve before someone accepts the moved batch.
    await expect(approveEmergencyBatch(rig.context, moved, await who('bob'), 'go')).rejects.toThrow(/must first accept it/);
  });

  it('is idempotent: the same move again changes nothing; moving the old batch elsewhere is refused', async () => {
    const before = (await auditOf(`batch/${original.id}`)).length;
    const again = await moveEmergencyBatch(rig.context, original.id, await who('bob'), { to: new Date('2030-01-02T22:00:00Z'), reason: 'customer asks for the night' });
    expect(again).toMatchObject({ batchId: moved, changed: false, windowStart: '2030-01-02T22:00:00.000Z' });
    const still = await moveEmergencyBatch(rig.context, moved, await who('bob'), { to: new Date('2030-01-02T22:00:00Z') });
    expect(still).toMatchObject({ batchId: moved, changed: false });
    expect((await auditOf(`batch/${original.id}`)).length).toBe(before);
    expect((await acmeBatches()).map((b) => b.id).sort()).toEqual([original.id, moved].sort());
    await expect(moveEmergencyBatch(rig.context, original.id, await who('bob'), { to: new Date('2030-01-03T22:00:00Z') })).rejects.toThrow(new RegExp(`was moved to ${moved.replace(/[.+]/g, '\\$&')} already`));
  });

  it('moving an approved batch voids the approval too; past the due time only with --past-due and a reason', async () => {
    await requestApproval(rig.context, moved, await who('alice'), 'night is fine');
    await approveEmergencyBatch(rig.context, moved, await who('bob'), 'critical flaw');
    expect((await requireBatch(rig.redis, rig.context.prefix, moved)).status).toBe('approved');

    const late = await moveEmergencyBatch(rig.context, moved, await who('alice'), { to: new Date('2030-01-05T22:00:00Z'), pastDue: true, reason: 'customer freeze until Saturday, accepted by their CISO' });
    expect(late).toMatchObject({ changed: true, windowStart: '2030-01-05T22:00:00.000Z', dueAt: DUE, pastDue: true, voidedApprovers: ['bob'], voidedRequester: 'alice' });
    // Past due: the window lasts as long as the one moved (2030-01-02T22:00Z .. the due time: 36 h).
    expect(late.windowEnd).toBe('2030-01-07T10:00:00.000Z');
    expect(late.cutoffAt).toBe('2030-01-07T09:00:00.000Z');
    const next = await requireBatch(rig.redis, rig.context.prefix, late.batchId);
    expect(next).toMatchObject({ status: 'awaiting-approval', approvedBy: null, emergency: { dueAt: DUE, movedFrom: moved } });
    const voided = (await auditOf(`batch/${moved}`)).find((e) => e.action === 'approval.voided')!;
    expect(voided).toMatchObject({ actor: 'alice', before: { status: 'approved', requestedBy: 'alice', approvers: ['bob'] }, after: { batchId: late.batchId, approvers: [] } });
    expect((await auditOf(`batch/${moved}`)).find((e) => e.action === 'batch.moved')).toMatchObject({ reason: 'customer freeze until Saturday, accepted by their CISO', after: { pastDue: true } });
    moved = late.batchId;
  });

  it('refuses a batch that has started', async () => {
    await requestApproval(rig.context, moved, await who('alice'), 'ok');
    await approveEmergencyBatch(rig.context, moved, await who('bob'), 'go');
    rig.clock.set('2030-01-05T22:00:00Z');
    await dispatchBatch(rig.context, moved);
    expect((await requireBatch(rig.redis, rig.context.prefix, moved)).status).toBe('running');
    await expect(moveEmergencyBatch(rig.context, moved, await who('alice'), { to: new Date('2030-01-06T22:00:00Z'), pastDue: true, reason: 'later' })).rejects.toThrow(/is running \(started 2030-01-05T22:00:00.000Z\); only an emergency batch that has not started can be moved/);
  });
});

describe('redback advisories move-emergency (the real executable, real Redis, the system clock)', () => {
  it('moves, prints the result, is idempotent, and refuses a start past the due time and a time without a zone', async () => {
    // A critical advisory detected now (real time, as the executable sees it): acme's only window is on 29 February
    // at 02:00, so its emergency batch runs from now to now + 24 h.
    const cliRig = await advisoryRig({ redisUrl: inject('redisUrl'), label: 'move-emergency-cli', now: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(), acmeContract: '      emergency_patch: { critical: 24h }\n', betaContract: '      urgency: { cvss_threshold: 10 }\n', windowCron: '0 2 29 2 *' });
    try {
      await ingestDocument(cliRig.services, { source: 'RBU-2030-0099.json', bytes: exampleOsv('RBU-2030-0099', CVSS_9_8) }, { actor: 'system:advisories' });
      const batch = (await listBatches(cliRig.redis, cliRig.context.prefix)).find((b) => b.customerId === 'acme')!;
      expect(batch.id).toMatch(/^emergency-acme@/);
      const to = new Date(Date.parse(batch.windowStart) + 12 * 3_600_000).toISOString();
      const cli = (args: string[]) => runCli([...args, '--config', cliRig.configDir], { env: { REDIS_URL: inject('redisUrl') }, timeoutMs: 60_000 });

      const first = await cli(['advisories', 'move-emergency', batch.id, '--to', to, '--reason', 'after the business day', '--as', 'alice', '--json']);
      expect(first.code, first.stderr).toBe(0);
      const result = JSON.parse(first.stdout) as { batchId: string; changed: boolean; windowStart: string; windowEnd: string; dueAt: string };
      expect(result).toMatchObject({ changed: true, windowStart: to, windowEnd: batch.windowEnd, dueAt: batch.windowEnd });
      expect((await requireBatch(cliRig.redis, cliRig.context.prefix, result.batchId)).status).toBe('awaiting-approval');
      expect((await requireBatch(cliRig.redis, cliRig.context.prefix, batch.id)).statusReason).toContain('by alice: after the business day');

      const again = await cli(['advisories', 'move-emergency', batch.id, '--to', to, '--as', 'alice']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.trim()).toBe(`Emergency batch ${result.batchId} already starts at ${to}; nothing changed.`);

      const late = new Date(Date.parse(batch.windowEnd) + 3_600_000).toISOString();
      const refused = await cli(['advisories', 'move-emergency', result.batchId, '--to', late, '--as', 'alice']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is not before the contract's due time ${batch.windowEnd} for customer acme`);

      const noZone = await cli(['advisories', 'move-emergency', result.batchId, '--to', '2030-01-02T22:00', '--as', 'alice']);
      expect(noZone.code).toBe(1);
      expect(noZone.stderr).toContain('--to: expected an ISO 8601 instant with a zone');

      const text = await cli(['advisories', 'move-emergency', result.batchId, '--to', late, '--past-due', '--reason', 'change freeze', '--as', 'bob']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toContain(`Emergency batch ${result.batchId} moved to `);
      expect(text.stdout).toContain('PAST DUE');
    } finally {
      await cliRig.close();
    }
  }, 120_000);
});
