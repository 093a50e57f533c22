import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.js';
import { createHelpdesk, directoryFromConfig, ingestMonitoringAlert, runEventSchema, type HelpdeskEvent, type NextWindowFor } from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { readAudit, verifyAuditChain } from '../../../src/store/audit.js';
import { runEvent, writeHelpdeskConfig, type RunEventInput } from './helpdesk-fixture.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
let config: ResolvedConfig;

beforeAll(async () => {
  config = await loadConfig({ dir: await writeHelpdeskConfig({ prefix: 'unused' }), env: {} });
});
afterAll(async () => {
  await redis.quit();
});

function setup(start: string, nextWindowFor?: NextWindowFor) {
  const prefix = `hd-${randomUUID().slice(0, 8)}`;
  const clock = new FixedClock(start);
  const events: HelpdeskEvent[] = [];
  const helpdesk = createHelpdesk({ redis, prefix, directory: directoryFromConfig(config), clock, publisher: { publish: async (e) => void events.push(e) }, nextWindowFor });
  const handle = (input: RunEventInput) => helpdesk.escalation.handle(runEventSchema.parse(runEvent(input)));
  return { prefix, clock, events, helpdesk, handle };
}

describe('incident lifecycle', () => {
  it('opens with the matrix priority and contract SLA, assigns, notes, waits for a window, resumes at its start, resolves and closes', async () => {
    // Monday 13 April 2026 10:00 CEST.
    const { helpdesk, clock, events, prefix } = setup('2026-04-13T08:00:00Z');
    const { record } = await helpdesk.incidents.open({ customerId: 'acme', title: 'cannot print', source: 'manual', category: 'printing', impact: 'medium', urgency: 'high', hosts: [] }, 'jan');
    expect(record).toMatchObject({ id: 'INC-000001', priority: 2, status: 'new', sla: { responseDueAt: '2026-04-13T08:30:00.000Z', resolutionDueAt: '2026-04-13T16:00:00.000Z' } });

    clock.set('2026-04-13T08:10:00Z');
    const assigned = await helpdesk.incidents.assign(record.id, 'piet', 'jan');
    expect(assigned).toMatchObject({ status: 'assigned', assignee: 'piet', sla: { responseDueAt: null } });
    expect(assigned.sla.response.stoppedAt).toBe('2026-04-13T08:10:00.000Z');

    // Monday 16:00 CEST: the fix needs the customer's Saturday window (22:00 CEST); 2 h of the target are left.
    clock.set('2026-04-13T14:00:00Z');
    const waiting = await helpdesk.incidents.setStatus(record.id, 'waiting-for-window', 'piet', { until: new Date('2026-04-18T20:00:00Z'), note: 'driver update in the Saturday window' });
    expect(waiting).toMatchObject({ status: 'waiting-for-window', waitingUntil: '2026-04-18T20:00:00.000Z', sla: { resolutionDueAt: null } });

    // The tick runs on Sunday morning; the clocks resume at the window start, not at the tick.
    clock.set('2026-04-19T08:00:00Z');
    expect((await helpdesk.incidents.tick()).resumed).toEqual([record.id]);
    const resumed = await helpdesk.incidents.get(record.id);
    expect(resumed.status).toBe('in-progress');
    // Paused Mon 16:00-18:00 and Tue..Fri: 42 business hours. The 2 h left run from the next Monday 08:00 CEST.
    expect(resumed.sla.resolution.pausedMs).toBe(42 * 3_600_000);
    expect(resumed.sla.resolutionDueAt).toBe('2026-04-20T08:00:00.000Z');

    await expect(helpdesk.incidents.close(record.id, 'piet')).rejects.toThrow(`${record.id} cannot move from in-progress to closed`);
    await helpdesk.incidents.note(record.id, 'driver updated', 'piet');
    clock.set('2026-04-20T07:00:00Z');
    await helpdesk.incidents.resolve(record.id, 'printer driver 5.2 installed', 'piet');
    const closed = await helpdesk.incidents.close(record.id, 'jan');
    expect(closed).toMatchObject({ status: 'closed', resolution: 'printer driver 5.2 installed', closedAt: '2026-04-20T07:00:00.000Z' });

    const timeline = await helpdesk.incidents.timeline(record.id);
    expect(timeline.map((e) => e.action)).toEqual(['incident.opened', 'incident.assigned', 'incident.waiting-for-window', 'incident.in-progress', 'incident.noted', 'incident.resolved', 'incident.closed']);
    expect(events.map((e) => e.type)).toEqual(['incident.opened', 'incident.assigned', 'incident.status-changed', 'incident.status-changed', 'incident.updated', 'incident.resolved', 'incident.closed']);
    const audit = await readAudit(redis, prefix, { subject: `incident/${record.id}` });
    expect(audit).toHaveLength(7);
    expect(audit[1]).toMatchObject({ actor: 'jan', action: 'incident.assigned', before: { assignee: null }, after: { assignee: 'piet' } });
    expect((await verifyAuditChain(redis, prefix)).ok).toBe(true);
  });

  it('announces near-breach and breach once, even when the tick runs twice', async () => {
    const { helpdesk, clock, events } = setup('2026-04-13T08:00:00Z');
    const { record } = await helpdesk.incidents.open({ customerId: 'acme', title: 'no mail', source: 'manual', category: 'mail', impact: 'high', urgency: 'high' }, 'jan');
    // P1: response 15m, resolution 4h from Monday 10:00 CEST.
    clock.set('2026-04-13T11:30:00Z');
    const first = await helpdesk.incidents.tick();
    expect(first.milestones.map((m) => m.milestone)).toEqual(['response.near-breach', 'response.breached', 'resolution.near-breach']);
    expect((await helpdesk.incidents.tick()).milestones).toEqual([]);
    clock.set('2026-04-13T12:00:00Z');
    expect((await helpdesk.incidents.tick()).milestones.map((m) => m.milestone)).toEqual(['resolution.breached']);
    const breach = events.find((e) => e.type === 'incident.sla.breached' && e.data.clock === 'resolution');
    expect(breach).toMatchObject({ id: `${record.id}.resolution.breached`, at: '2026-04-13T12:00:00.000Z' });
  });

  it('refuses an unknown customer and says which ones exist', async () => {
    const { helpdesk } = setup('2026-04-13T08:00:00Z');
    await expect(helpdesk.incidents.open({ customerId: 'globex', title: 'x', source: 'manual', category: 'other', impact: 'low', urgency: 'low' }, 'jan')).rejects.toThrow(
      'customer "globex" is not in the inventory (known: acme); add it to inventory/*.yaml or use one of those ids',
    );
  });
});

describe('escalation rules on real records', () => {
  it('reschedules an unreachable host whose next window is within the SLA, without an incident', async () => {
    const { helpdesk, handle, events } = setup('2026-04-14T20:30:00Z', () => ({ occurrenceId: 'acme-weekly@20260421T200000Z', start: new Date('2026-04-21T20:00:00Z') }));
    const outcome = await handle({ type: 'run.failed', hostId: 'web-04', failureClass: 'unreachable', at: '2026-04-14T20:30:00Z' });
    expect(outcome).toEqual({ kind: 'rescheduled', hostId: 'web-04', occurrenceId: 'acme-weekly@20260421T200000Z' });
    expect(await helpdesk.incidents.list()).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['host.rescheduled']);
  });

  it('opens a high-urgency incident for a host that does not come back after a reboot', async () => {
    const { helpdesk, handle } = setup('2026-04-14T20:30:00Z');
    const outcome = await handle({ type: 'run.failed', hostId: 'web-05', failureClass: 'reboot-timeout', at: '2026-04-14T20:30:00Z' });
    expect(outcome.kind).toBe('opened');
    expect((await helpdesk.incidents.list())[0]).toMatchObject({ urgency: 'high', impact: 'low', priority: 3, category: 'reboot-timeout', source: 'run' });
  });

  it('raises impact as hosts join: five ordinary hosts make it high and the SLA targets follow', async () => {
    const { helpdesk, handle } = setup('2026-04-14T20:30:00Z');
    for (const hostId of ['web-02', 'web-03', 'web-04', 'web-05', 'web-06']) await handle({ type: 'run.failed', hostId, failureClass: 'auth', at: '2026-04-14T20:30:00Z' });
    const [incident] = await helpdesk.incidents.list();
    expect(incident).toMatchObject({ hosts: ['web-02', 'web-03', 'web-04', 'web-05', 'web-06'], impact: 'high', priority: 2, sla: { resolutionDueAt: '2026-04-15T14:00:00.000Z' } });
    expect(incident?.title).toBe('auth in acme-monthly@20260414T200000Z on 5 hosts');
  });

  it('keeps different occurrences and failure classes apart, and ignores cancelled runs', async () => {
    const { helpdesk, handle } = setup('2026-04-14T20:30:00Z');
    await handle({ type: 'run.failed', hostId: 'web-02', failureClass: 'auth', at: '2026-04-14T20:30:00Z' });
    await handle({ type: 'run.failed', hostId: 'web-03', failureClass: 'timeout', at: '2026-04-14T20:30:00Z' });
    await handle({ type: 'run.failed', hostId: 'web-04', failureClass: 'auth', at: '2026-04-14T20:30:00Z', occurrenceId: 'acme-monthly@20260512T200000Z' });
    expect(await handle({ type: 'run.failed', hostId: 'web-05', failureClass: 'cancelled', at: '2026-04-14T20:30:00Z' })).toMatchObject({ kind: 'ignored' });
    expect(await helpdesk.incidents.list()).toHaveLength(3);
  });

  it('resolves only when every affected host has re-run successfully', async () => {
    const { helpdesk, handle } = setup('2026-04-14T20:30:00Z');
    await handle({ type: 'run.failed', hostId: 'web-02', failureClass: 'step-failed', at: '2026-04-14T20:30:00Z' });
    await handle({ type: 'run.failed', hostId: 'web-03', failureClass: 'step-failed', at: '2026-04-14T20:31:00Z' });
    const partial = await handle({ type: 'run.succeeded', hostId: 'web-02', at: '2026-04-15T07:00:00Z', batchId: 'rerun' });
    expect(partial).toMatchObject({ kind: 'recovered', resolved: [] });
    // A success from before the failure says nothing about the fix.
    expect(await handle({ type: 'run.succeeded', hostId: 'web-03', at: '2026-04-14T20:00:00Z', batchId: 'earlier' })).toMatchObject({ incidentIds: [] });
    const done = await handle({ type: 'run.succeeded', hostId: 'web-03', at: '2026-04-15T07:01:00Z', batchId: 'rerun' });
    expect(done).toMatchObject({ kind: 'recovered', resolved: ['INC-000001'] });
    expect((await helpdesk.incidents.get('INC-000001')).resolution).toBe('resolved automatically: every affected host re-ran successfully: web-02 (rerun/web-02), web-03 (rerun/web-03)');
  });
});

describe('automatic problems', () => {
  it('opens a problem when one playbook fails the same way on 3 hosts within 7 days, not counting older failures, and links every incident behind it', async () => {
    const { helpdesk, handle } = setup('2026-04-20T20:30:00Z');
    await handle({ type: 'run.failed', hostId: 'web-02', failureClass: 'timeout', at: '2026-04-01T20:30:00Z', occurrenceId: 'acme-weekly@20260401T200000Z' });
    await handle({ type: 'run.failed', hostId: 'web-03', failureClass: 'timeout', at: '2026-04-14T20:30:00Z', occurrenceId: 'acme-weekly@20260414T200000Z' });
    await handle({ type: 'run.failed', hostId: 'web-04', failureClass: 'timeout', at: '2026-04-20T20:30:00Z', occurrenceId: 'acme-weekly@20260420T200000Z' });
    expect(await helpdesk.problems.list()).toEqual([]);
    await handle({ type: 'run.failed', hostId: 'web-05', failureClass: 'timeout', at: '2026-04-20T20:40:00Z', occurrenceId: 'acme-weekly@20260420T200000Z' });
    const [problem] = await helpdesk.problems.list();
    expect(problem).toMatchObject({ status: 'new', category: 'timeout', trigger: { rule: 'recurring-failure', detail: { hosts: ['acme/web-03', 'acme/web-04', 'acme/web-05'] } } });
    expect(problem?.incidentIds).toEqual(['INC-000002', 'INC-000003']);
    expect((await helpdesk.incidents.get('INC-000002')).problemIds).toEqual([problem?.id]);
    expect((await helpdesk.incidents.get('INC-000001')).problemIds).toEqual([]);
  });

  it('opens "window too small" after three occurrences in a row deferred hosts, not when one in between was clean', async () => {
    const { helpdesk, handle } = setup('2026-05-01T00:00:00Z');
    const occ = (day: string) => `acme-weekly@202604${day}T200000Z`;
    await handle({ type: 'run.deferred', hostId: 'web-02', at: '2026-04-04T23:00:00Z', occurrenceId: occ('04') });
    await handle({ type: 'run.succeeded', hostId: 'web-02', at: '2026-04-11T21:00:00Z', occurrenceId: occ('11') });
    await handle({ type: 'run.deferred', hostId: 'web-02', at: '2026-04-18T23:00:00Z', occurrenceId: occ('18') });
    await handle({ type: 'run.failed', hostId: 'web-03', failureClass: 'window-closed', at: '2026-04-25T23:00:00Z', occurrenceId: occ('25') });
    expect((await helpdesk.problems.list()).filter((p) => p.trigger?.rule === 'window-too-small')).toEqual([]);
    await handle({ type: 'run.deferred', hostId: 'web-02', at: '2026-05-02T23:00:00Z', occurrenceId: 'acme-weekly@20260502T200000Z' });
    const [problem] = (await helpdesk.problems.list()).filter((p) => p.trigger?.rule === 'window-too-small');
    expect(problem).toMatchObject({ customerId: 'acme', source: 'service', trigger: { detail: { windowId: 'acme-weekly', occurrences: [occ('18'), occ('25'), 'acme-weekly@20260502T200000Z'] } } });
  });

  it('walks a problem through known-error to resolved with a note each, and records the effort', async () => {
    const { helpdesk } = setup('2026-04-20T08:00:00Z');
    const { record } = await helpdesk.problems.open({ customerId: 'acme', title: 'RAID controller firmware', source: 'vendor', category: 'hardware', impact: 'high', urgency: 'medium' }, 'jan');
    expect(record).toMatchObject({ id: 'PRB-000001', priority: 2 });
    await expect(helpdesk.problems.setStatus(record.id, 'known-error', 'jan')).rejects.toThrow(`${record.id} -> known-error: expected a note (the workaround), given none`);
    await helpdesk.problems.estimate(record.id, { people: 2, means: 'spare controller', hours: 6 }, 'jan');
    await helpdesk.problems.setStatus(record.id, 'known-error', 'jan', 'fail over to the spare controller');
    const resolved = await helpdesk.problems.setStatus(record.id, 'resolved', 'jan', 'firmware 7.1 installed');
    expect(resolved).toMatchObject({ status: 'resolved', knownErrorWorkaround: 'fail over to the spare controller', resolution: 'firmware 7.1 installed', effort: { people: 2, hours: 6 } });
  });
});

describe('monitoring intake', () => {
  it('deduplicates by alert key while the incident is open, counts repeats, and opens a new one after it is resolved', async () => {
    const { helpdesk } = setup('2026-04-13T08:00:00Z');
    const alert = { key: 'acme/web-02/disk', customer: 'acme', title: 'disk almost full on web-02', category: 'applications', impact: 'low', urgency: 'high', hosts: ['web-02'] };
    const first = await ingestMonitoringAlert(helpdesk.incidents, alert);
    const again = await ingestMonitoringAlert(helpdesk.incidents, { ...alert, detail: '97 %' });
    expect(first.kind).toBe('opened');
    expect(again).toMatchObject({ kind: 'repeated', incident: { id: 'INC-000001', alert: { count: 2 } } });
    expect(await ingestMonitoringAlert(helpdesk.incidents, { ...alert, status: 'resolved' })).toMatchObject({ kind: 'noted' });
    await helpdesk.incidents.resolve('INC-000001', 'old logs removed', 'jan');
    expect(await ingestMonitoringAlert(helpdesk.incidents, alert)).toMatchObject({ kind: 'opened', incident: { id: 'INC-000002' } });
  });

  it('rejects a malformed alert naming each wrong field', async () => {
    const { helpdesk } = setup('2026-04-13T08:00:00Z');
    await expect(ingestMonitoringAlert(helpdesk.incidents, { customer: 'acme', title: 't', impact: 'huge' })).rejects.toThrow(/monitoring alert: key: .*; impact: /);
  });
});
