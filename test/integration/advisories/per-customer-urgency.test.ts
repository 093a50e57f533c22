import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exposureRows, ingestDocument } from '../../../src/advisories/index.js';
import { lastHostUpdateScan, listBatches, ProblemRepository, readAudit } from '../../../src/store/index.js';
import { advisoryRig, CVSS_7_5, exampleOsv, type AdvisoryRig } from './advisory-rig.js';

/**
 * Per-customer urgency against real Redis, through ingestion: acme's contract lowers the CVSS threshold to 7
 * (`contract.urgency: { cvss_threshold: 7 }`), beta keeps redback.yaml's 9. One OSV record scoring 7.5 exposes a
 * host of each: it is urgent for acme (problem, emergency batch before its 24 h term) and not for beta (its
 * package only joins the next regular window as an available update).
 */
let rig: AdvisoryRig;
let advisoryId: string;

beforeAll(async () => {
  rig = await advisoryRig({
    redisUrl: inject('redisUrl'),
    label: 'customer-urgency',
    now: '2030-01-01T10:00:00Z', // a Tuesday: the Sunday windows are too late for acme's 24 h term
    acmeContract: '      emergency_patch: { important: 24h }\n      urgency: { cvss_threshold: 7 }\n',
    betaContract: '      emergency_patch: { important: 24h }\n',
  });
  const result = await ingestDocument(rig.services, { source: 'RBU-2030-0075.json', bytes: exampleOsv('RBU-2030-0075', CVSS_7_5) }, { actor: 'alice' });
  expect(result).toMatchObject({ status: 'stored', errors: [] });
  advisoryId = result.id!;
});

afterAll(async () => {
  await rig?.close();
});

describe('the same advisory is urgent for one customer and not for another', () => {
  it('the stored exposure carries each exposed customer\'s decision under its own policy; the default decision stays beside it', async () => {
    const exposure = await rig.services.store.exposure(advisoryId);
    expect(exposure?.affected.map((e) => [e.customerId, e.hostId, e.installedVersion, e.fixedVersion])).toEqual([
      ['acme', 'acme-01', '1.0-1', '1.0-2'],
      ['beta', 'beta-01', '1.0-1', '1.0-2'],
    ]);
    expect(exposure).toMatchObject({ maxCvss: 7.5, severity: 'important', urgent: false, urgencyReasons: [] });
    expect(exposure?.customerUrgency).toEqual({
      acme: { urgent: true, reasons: ["CVSS 7.5 >= threshold 7 (acme's contract)"], overridden: ['cvss_threshold'] },
      beta: { urgent: false, reasons: [], overridden: [] },
    });
  });

  it('acme: one problem and one emergency batch for acme-01 due in 24 h; beta: neither', async () => {
    const problems = await new ProblemRepository(rig.redis, rig.context.prefix).list();
    expect(problems.map((p) => p.customerId)).toEqual(['acme']);
    expect(problems[0]!.trigger?.detail).toMatchObject({ hosts: ['acme-01'], reasons: ["CVSS 7.5 >= threshold 7 (acme's contract)"], dueAt: '2030-01-02T10:00:00.000Z' });

    const batches = await listBatches(rig.redis, rig.context.prefix);
    expect(batches.map((b) => [b.customerId, b.hostIds, b.status, b.windowEnd])).toEqual([['acme', ['acme-01'], 'awaiting-approval', '2030-01-02T10:00:00.000Z']]);
    expect(batches[0]!.id).toMatch(/^emergency-acme@20300101T100000Z\+rbu-2030-0075\./);
    expect(batches[0]!.emergency).toMatchObject({ dueAt: '2030-01-02T10:00:00.000Z', movedFrom: null, advisoryId });
    expect(await rig.services.store.actions(advisoryId, 'beta')).toMatchObject({ problemId: null, batches: [], covered: ['beta-01/libexample1'] });
  });

  it('beta\'s package joins its next regular window as an available update; the audit says why for each customer', async () => {
    expect((await lastHostUpdateScan(rig.redis, rig.context.prefix, 'beta-01'))?.updates).toMatchObject([{ name: 'libexample1', from: '1.0-1', to: '1.0-2', classification: 'security', severity: 'important' }]);
    await rig.context.audit.flush();
    const audit = (await readAudit(rig.redis, rig.context.prefix)).filter((e) => e.subject === `advisory/${advisoryId}`);
    const scheduled = audit.filter((e) => e.action === 'advisory.scheduled');
    const preventive = audit.filter((e) => e.action === 'advisory.preventive');
    expect(scheduled.map((e) => [e.customerId, e.reason])).toEqual([['beta', "not urgent: the packages join the next regular window's batch"]]);
    expect(preventive.map((e) => [e.customerId, e.reason])).toEqual([['acme', "CVSS 7.5 >= threshold 7 (acme's contract)"]]);
  });

  it('redback exposure rows say urgent per customer', async () => {
    const rows = await exposureRows(rig.services.store, {});
    expect(rows.map((r) => [r.customerId, r.hostId, r.urgent, r.problemId !== null])).toEqual([
      ['acme', 'acme-01', true, true],
      ['beta', 'beta-01', false, false],
    ]);
  });
});
