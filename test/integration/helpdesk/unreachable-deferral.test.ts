import { afterEach, describe, expect, inject, it } from 'vitest';
import { createHelpdesk, directoryFromConfig, nextWindowFromConfig, RunEventConsumer } from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { dispatchBatch, plannerTick, startWorkerRole, type HostRunExecutor } from '../../../src/releases/index.js';
import { appendEvent, getRun, readEvents } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from '../../support/orchestration/context.js';
import { waitFor } from '../../support/orchestration/wait.js';

/**
 * The contract between the orchestration and the helpdesk for "an unreachable host missed its window": the
 * orchestration defers the host (its retry could not start before the cutoff) with a `run.deferred` event that
 * keeps the failed attempt's class `unreachable` and names `deferredTo`, the next occurrence it moved the host to;
 * the helpdesk opens an incident only when that occurrence starts later than the SLA allows. A deferral without a
 * class (the window had no time for the host) opens nothing.
 */
const BATCH = 'fleet@20300101T030000Z';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('an unreachable host that misses its window (orchestration events -> helpdesk)', () => {
  it('is deferred with class unreachable and deferredTo; the helpdesk tickets it when the next window is beyond the SLA', async () => {
    const clock = new FixedClock('2030-01-01T03:00:10Z');
    const context = await fleetContext(inject('redisUrl'), { prefix: uniquePrefix('unreach'), hosts: 1, duration: '1h', cutoff: '30m' }, clock);
    cleanups.push(() => context.close());
    const unreachable: HostRunExecutor = async () => ({ status: 'failed', failureClass: 'unreachable', reason: 'connect ECONNREFUSED 10.0.0.1:22', steps: [] });
    const worker = startWorkerRole(context, { executor: unreachable, concurrency: 1 });
    cleanups.push(() => worker.stop());

    await plannerTick(context);
    await dispatchBatch(context, BATCH);
    // The first attempt fails as unreachable: the worker queues the retry (BullMQ backoff, 5 s).
    await waitFor('the retry of the unreachable host to be queued', async () => {
      const run = await getRun(context.redis, context.prefix, `${BATCH}/h-01`);
      return run?.status === 'queued' && run.attempts === 1 ? run : undefined;
    });
    clock.set('2030-01-01T03:31:00Z'); // past the cutoff (03:30) before the retry could start
    await dispatchBatch(context, BATCH);

    const run = await getRun(context.redis, context.prefix, `${BATCH}/h-01`);
    expect(run).toMatchObject({ status: 'deferred', failureClass: 'unreachable', deferredTo: 'fleet@20310101T030000Z' });
    expect(run?.reason).toBe('the cutoff 2030-01-01T03:30:00.000Z passed before the run could start (its last attempt failed: unreachable); deferred to fleet@20310101T030000Z');
    const deferred = (await readEvents(context.redis, context.prefix)).filter((e) => e.type === 'run.deferred');
    expect(deferred).toMatchObject([{ hostId: 'h-01', failureClass: 'unreachable', deferredTo: 'fleet@20310101T030000Z', runId: `${BATCH}/h-01` }]);

    // The helpdesk reads the same stream: a year to the next window is beyond any SLA of the contract.
    const helpdesk = createHelpdesk({ redis: context.redis, prefix: context.prefix, directory: directoryFromConfig(context.config), clock, nextWindowFor: nextWindowFromConfig(context.config) });
    const consumer = new RunEventConsumer({ redis: context.redis, prefix: context.prefix, consumerName: 'test', escalation: helpdesk.escalation });
    const handled = (await consumer.drain()).filter((h) => h.type === 'run.deferred');
    expect(handled.map((h) => h.outcome?.kind)).toEqual(['opened']);
    expect(await helpdesk.incidents.list()).toMatchObject([{ category: 'unreachable', urgency: 'high', hosts: ['h-01'], run: { occurrenceId: BATCH } }]);

    // Deferred to a window within the SLA: rescheduled, no incident. Without a class: only evidence, nothing opened.
    const base = { batchId: 'fleet@20300108T030000Z', occurrenceId: 'fleet@20300108T030000Z', windowId: 'fleet', customerId: 'acme', hostId: 'h-01', playbookId: 'custom', runId: 'fleet@20300108T030000Z/h-01', at: '2030-01-08T03:31:00.000Z' };
    await appendEvent(context.redis, context.prefix, { ...base, type: 'run.deferred', failureClass: 'unreachable', reason: 'cutoff passed (its last attempt failed: unreachable)', deferredTo: 'fleet@20300108T060000Z' });
    await appendEvent(context.redis, context.prefix, { ...base, type: 'run.deferred', failureClass: null, reason: 'cutoff passed', deferredTo: 'fleet@20310101T030000Z' });
    const more = (await consumer.drain()).filter((h) => h.type === 'run.deferred');
    expect(more.map((h) => h.outcome)).toMatchObject([{ kind: 'rescheduled', hostId: 'h-01', occurrenceId: 'fleet@20300108T060000Z' }, { kind: 'ignored' }]);
    expect(await helpdesk.incidents.list()).toHaveLength(1);
  });
});
