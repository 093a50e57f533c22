import { afterEach, describe, expect, inject, it } from 'vitest';
import { FixedClock } from '../../../src/platform/clock.js';
import { dispatchBatch, plannerTick, type OrchestrationContext } from '../../../src/releases/index.js';
import { batchHosts, getBatch, getRun, listBatches, openBatchIds, plannerCheckedUntil, readAudit, readEvents, verifyAuditChain } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { fleetHostId, type FleetOptions } from '../../support/orchestration/fleet-config.js';

/**
 * A window that passed while no scheduler ran is recorded by the next planner tick: an expired batch with its
 * reason, every host deferred to its next window, events and audit entries. Real Redis; the clock is moved by hand.
 * The fleet window fires daily at 03:00 UTC for 1 h with a 15 min cutoff (so its cutoff is 03:45).
 */
const DAILY: Omit<FleetOptions, 'prefix'> = { hosts: 3, cron: '0 3 * * *', duration: '1h', cutoff: '15m', leadTime: '1m' };
const MISSED = 'fleet@20300101T030000Z';
const HOSTS = [1, 2, 3].map(fleetHostId);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: FleetOptions, clock: FixedClock): Promise<OrchestrationContext> {
  const context = await fleetContext(inject('redisUrl'), options, clock, 'system:scheduler');
  cleanups.push(() => context.close());
  return context;
}

async function auditActions(context: OrchestrationContext): Promise<Array<{ action: string; subject: string; reason: string | null }>> {
  await context.audit.flush();
  return (await readAudit(context.redis, context.prefix)).map((e) => ({ action: e.action, subject: e.subject, reason: e.reason }));
}

describe('planner: windows that passed while no scheduler ran', () => {
  it('records the missed occurrence as an expired batch with the window times, and defers every host with a run record, event and audit entry', async () => {
    const clock = new FixedClock('2030-01-01T00:00:00Z');
    const context = await setup({ prefix: uniquePrefix('missed'), ...DAILY }, clock);
    expect(await plannerTick(context)).toEqual([]); // 03:00 is beyond the 1 min lead time: nothing to plan yet
    expect(await getBatch(context.redis, context.prefix, MISSED)).toBeUndefined();

    clock.set('2030-01-01T05:00:00Z'); // the whole window (03:00, cutoff 03:45) passed with no tick
    expect(await plannerTick(context)).toEqual([]);

    const batch = await getBatch(context.redis, context.prefix, MISSED);
    expect(batch).toMatchObject({ status: 'expired', windowId: 'fleet', customerId: 'acme', hostIds: HOSTS, windowStart: '2030-01-01T03:00:00.000Z', cutoffAt: '2030-01-01T03:45:00.000Z', finishedAt: '2030-01-01T05:00:00.000Z', plannedBy: 'system:scheduler' });
    expect(batch!.statusReason).toBe('no scheduler was running during the window (start 2030-01-01T03:00:00.000Z, cutoff 2030-01-01T03:45:00.000Z)');
    // Every host is final, so nothing is left for the dispatcher: the batch is off the open list.
    expect(await openBatchIds(context.redis, context.prefix)).not.toContain(MISSED);

    const hosts = await batchHosts(context.redis, context.prefix, batch!);
    expect(hosts.map((h) => h.state)).toEqual(['deferred', 'deferred', 'deferred']);
    for (const hostId of HOSTS) {
      const run = await getRun(context.redis, context.prefix, `${MISSED}/${hostId}`);
      expect(run).toMatchObject({ status: 'deferred', failureClass: null, deferredTo: 'fleet@20300102T030000Z', finishedAt: '2030-01-01T05:00:00.000Z' });
      expect(run!.reason).toBe(`the batch expired: ${batch!.statusReason!}; deferred to fleet@20300102T030000Z`);
    }

    const events = await readEvents(context.redis, context.prefix);
    const expired = events.filter((e) => e.type === 'batch.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ batchId: MISSED, windowId: 'fleet', customerId: 'acme', reason: batch!.statusReason, at: '2030-01-01T05:00:00.000Z' });
    const deferred = events.filter((e) => e.type === 'run.deferred');
    expect(deferred.map((e) => e.runId).sort()).toEqual(HOSTS.map((h) => `${MISSED}/${h}`));
    expect(deferred.every((e) => e.deferredTo === 'fleet@20300102T030000Z' && e.failureClass === null)).toBe(true);
    expect(events.filter((e) => e.type === 'batch.planned')).toHaveLength(0);

    const audit = await auditActions(context);
    expect(audit.filter((a) => a.action === 'batch.expired')).toEqual([{ action: 'batch.expired', subject: `batch/${MISSED}`, reason: batch!.statusReason }]);
    expect(audit.filter((a) => a.action === 'run.deferred').map((a) => a.subject).sort()).toEqual(HOSTS.map((h) => `run/${MISSED}/${h}`));
    expect(await verifyAuditChain(context.redis, context.prefix)).toMatchObject({ ok: true });
    expect((await plannerCheckedUntil(context.redis, context.prefix))?.toISOString()).toBe('2030-01-01T05:00:00.000Z');

    // A later tick looks back only from 05:00: nothing is recorded again.
    clock.set('2030-01-01T05:00:15Z');
    await plannerTick(context);
    expect((await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'batch.expired' || e.type === 'run.deferred')).toHaveLength(4);
  });

  it('leaves alone an occurrence a running scheduler planned: the dispatcher expires it as before', async () => {
    const clock = new FixedClock('2030-01-01T02:59:30Z');
    const context = await setup({ prefix: uniquePrefix('missed-planned'), ...DAILY, approval: 'required' }, clock);
    expect(await plannerTick(context)).toEqual([MISSED]);
    expect((await getBatch(context.redis, context.prefix, MISSED))?.status).toBe('awaiting-approval');

    clock.set('2030-01-01T05:00:00Z');
    await plannerTick(context);
    const batch = await getBatch(context.redis, context.prefix, MISSED);
    expect(batch).toMatchObject({ status: 'awaiting-approval', statusReason: null });
    expect((await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'batch.expired')).toHaveLength(0);

    await dispatchBatch(context, MISSED);
    expect(await getBatch(context.redis, context.prefix, MISSED)).toMatchObject({ status: 'expired', statusReason: 'not approved before the cutoff' });
  });

  it('two schedulers ticking at once after the gap record the missed occurrence once', async () => {
    const prefix = uniquePrefix('missed-race');
    const clockA = new FixedClock('2030-01-01T00:00:00Z');
    const clockB = new FixedClock('2030-01-01T00:00:00Z');
    const hosts = 12;
    const a = await setup({ prefix, ...DAILY, hosts }, clockA);
    const b = await setup({ prefix, ...DAILY, hosts }, clockB);
    await Promise.all([plannerTick(a), plannerTick(b)]);
    expect(await getBatch(a.redis, prefix, MISSED)).toBeUndefined();

    clockA.set('2030-01-01T05:00:00Z');
    clockB.set('2030-01-01T05:00:01Z');
    await Promise.all([plannerTick(a), plannerTick(b)]);
    await b.audit.flush();

    expect((await getBatch(a.redis, prefix, MISSED))?.status).toBe('expired');
    const all = Array.from({ length: hosts }, (_, i) => `${MISSED}/${fleetHostId(i + 1)}`);
    const events = await readEvents(a.redis, prefix);
    expect(events.filter((e) => e.type === 'batch.expired')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.deferred').map((e) => e.runId).sort()).toEqual(all);
    const audit = await auditActions(a);
    expect(audit.filter((e) => e.action === 'batch.expired')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'run.deferred').map((e) => e.subject.slice('run/'.length)).sort()).toEqual(all);
    expect(await verifyAuditChain(a.redis, prefix)).toMatchObject({ ok: true });
    // The instant only moves forwards: the later of the two clocks.
    expect((await plannerCheckedUntil(a.redis, prefix))?.toISOString()).toBe('2030-01-01T05:00:01.000Z');
  });

  it('the first tick ever records nothing in the past', async () => {
    const clock = new FixedClock('2030-01-03T05:00:00Z'); // after the 1st, 2nd and 3rd's windows
    const context = await setup({ prefix: uniquePrefix('missed-first'), ...DAILY }, clock);
    expect(await plannerCheckedUntil(context.redis, context.prefix)).toBeUndefined();
    expect(await plannerTick(context)).toEqual([]);
    expect(await listBatches(context.redis, context.prefix)).toEqual([]);
    expect(await readEvents(context.redis, context.prefix)).toEqual([]);
    expect(await auditActions(context)).toEqual([]);
    expect((await plannerCheckedUntil(context.redis, context.prefix))?.toISOString()).toBe('2030-01-03T05:00:00.000Z');
  });

  it('looks back no further than policies.missed_window_lookback', async () => {
    const clock = new FixedClock('2030-01-01T00:00:00Z');
    const context = await setup({ prefix: uniquePrefix('missed-limit'), ...DAILY, hosts: 1, missedWindowLookback: '2d' }, clock);
    await plannerTick(context);

    clock.set('2030-01-06T00:00:00Z'); // down five days: the windows of the 1st to the 5th passed
    await plannerTick(context);
    const batches = await listBatches(context.redis, context.prefix);
    // Only the cutoffs within two days before now (the 4th and the 5th at 03:45) are recorded.
    expect(batches.map((b) => [b.id, b.status])).toEqual([
      ['fleet@20300105T030000Z', 'expired'],
      ['fleet@20300104T030000Z', 'expired'],
    ]);
    // Each deferral names the host's next occurrence after the missed one.
    expect((await getRun(context.redis, context.prefix, `fleet@20300104T030000Z/${fleetHostId(1)}`))?.deferredTo).toBe('fleet@20300105T030000Z');
    expect((await getRun(context.redis, context.prefix, `fleet@20300105T030000Z/${fleetHostId(1)}`))?.deferredTo).toBe('fleet@20300106T030000Z');
    expect((await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'batch.expired').map((e) => e.batchId)).toEqual(['fleet@20300104T030000Z', 'fleet@20300105T030000Z']);
  });

  it('missed_window_lookback 0s records nothing', async () => {
    const clock = new FixedClock('2030-01-01T00:00:00Z');
    const context = await setup({ prefix: uniquePrefix('missed-off'), ...DAILY, hosts: 1, missedWindowLookback: '0s' }, clock);
    await plannerTick(context);
    clock.set('2030-01-01T05:00:00Z');
    await plannerTick(context);
    expect(await listBatches(context.redis, context.prefix)).toEqual([]);
  });

  it('the dispatcher defers the hosts a dead recorder left pending, once the recovery delay has passed', async () => {
    const clock = new FixedClock('2030-01-01T00:00:00Z');
    const context = await setup({ prefix: uniquePrefix('missed-recover'), ...DAILY }, clock);
    await plannerTick(context);
    clock.set('2030-01-01T05:00:00Z');
    await plannerTick(context);
    // Simulate a recorder that died after creating the batch: put the hosts back to pending and the batch on the open list.
    const keys = `${context.prefix}:batch:${MISSED}`;
    await context.redis.hset(`${keys}:hosts`, fleetHostId(2), 'pending', fleetHostId(3), 'pending');
    await context.redis.srem(`${keys}:not-run`, `${MISSED}/${fleetHostId(2)}`, `${MISSED}/${fleetHostId(3)}`);
    await context.redis.sadd(`${context.prefix}:batches:open`, MISSED);
    const deferredBefore = (await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'run.deferred').length;

    await dispatchBatch(context, MISSED); // within the delay: the recorder may still be at work
    expect((await batchHosts(context.redis, context.prefix, { id: MISSED, hostIds: HOSTS })).map((h) => h.state)).toEqual(['deferred', 'pending', 'pending']);

    clock.advance(60_000);
    await dispatchBatch(context, MISSED);
    expect((await batchHosts(context.redis, context.prefix, { id: MISSED, hostIds: HOSTS })).map((h) => h.state)).toEqual(['deferred', 'deferred', 'deferred']);
    expect((await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'run.deferred')).toHaveLength(deferredBefore + 2);
    expect(await openBatchIds(context.redis, context.prefix)).not.toContain(MISSED);
    expect((await getBatch(context.redis, context.prefix, MISSED))?.status).toBe('expired');
  });
});
