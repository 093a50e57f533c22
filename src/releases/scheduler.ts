import cron from 'node-cron';
import { coerceError } from '../errors.js';
import { getBatch, openBatchIds } from '../store/index.js';
import { remindApprovers, type ReminderDelivery } from './approval-reminders.js';
import type { OrchestrationContext } from './context.js';
import { dispatchBatch } from './dispatcher.js';
import { closeGivenUpHosts, requeueOrphanedHosts } from './orphaned-hosts.js';
import { plannerTick } from './planner.js';

/** How much further back than the previous check each check reads BullMQ's failed jobs. */
const GIVEN_UP_LOOKBACK_MS = 10 * 60_000;

export interface SchedulerOptions {
  /** node-cron expression (with seconds) of the planner tick. Default every 15 seconds. */
  plannerCron?: string;
  /** How often open batches are moved along (window opening, cutoff, missed completions). Default 1 s. */
  dispatchIntervalMs?: number;
  /**
   * How often to look for hosts in flight that nothing will move on: queued hosts whose job never reached BullMQ (a
   * scheduler died between the two steps of a hand-out), and hosts whose job BullMQ gave up on without a worker
   * closing the run (releases/orphaned-hosts.ts). Default 30 s.
   */
  orphanCheckIntervalMs?: number;
  /** Where approval reminders go (the helpdesk notifiers); without it they are logged and audited only. */
  deliverReminder?: ReminderDelivery;
}

export interface RunningScheduler {
  /** Stops both loops and waits for a pass in progress. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The scheduler role: the planner tick (node-cron) and the dispatch loop. Both are idempotent, so several
 * schedulers may run against one Redis; they only share the work.
 */
export function startScheduler(context: OrchestrationContext, options: SchedulerOptions = {}): RunningScheduler {
  const log = context.logger;
  const plan = async (): Promise<void> => {
    try {
      const created = await plannerTick(context);
      if (created.length > 0) log.info({ batches: created }, `planned ${created.length} batch${created.length === 1 ? '' : 'es'}`);
      // A batch planned while its window is already open starts now, not on the next loop.
      for (const id of created) await dispatchBatch(context, id);
    } catch (error) {
      log.error({ err: coerceError(error) }, 'planner tick failed; the next tick tries again');
    }
    try {
      const reminded = await remindApprovers(context, options.deliverReminder);
      if (reminded.length > 0) log.info({ batches: reminded.map((r) => r.batchId) }, `sent ${reminded.length} approval reminder${reminded.length === 1 ? '' : 's'}`);
    } catch (error) {
      log.error({ err: coerceError(error) }, 'approval reminders failed; the next tick tries again');
    }
  };
  const task = cron.schedule(options.plannerCron ?? '*/15 * * * * *', plan, { name: 'planner', noOverlap: true });
  let planning: Promise<void> = plan();

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let passing: Promise<void> = Promise.resolve();
  const orphanCheckIntervalMs = options.orphanCheckIntervalMs ?? 30_000;
  // The first pass looks at once: a scheduler that starts may be the one that replaces a dead one.
  let lastOrphanCheck = -Infinity;
  // Failed jobs are read from this instant on; the first check reads them all.
  let givenUpSince = 0;
  const pass = async (): Promise<void> => {
    try {
      const checkOrphans = Date.now() - lastOrphanCheck >= orphanCheckIntervalMs;
      if (checkOrphans) {
        lastOrphanCheck = Date.now();
        try {
          await closeGivenUpHosts(context, givenUpSince);
          // Reading a little further back than the last check covers clocks that differ between the workers (which
          // score the failed set) and this scheduler, and jobs that failed while the check ran.
          givenUpSince = lastOrphanCheck - GIVEN_UP_LOOKBACK_MS;
        } catch (error) {
          log.warn({ err: coerceError(error) }, 'check for runs whose job BullMQ gave up on failed; the next check tries again');
        }
      }
      for (const id of await openBatchIds(context.redis, context.prefix)) {
        if (stopped) return;
        if (checkOrphans) {
          // A failed check must not keep this batch or the next from being dispatched.
          try {
            const batch = await getBatch(context.redis, context.prefix, id);
            if (batch !== undefined) await requeueOrphanedHosts(context, batch);
          } catch (error) {
            log.warn({ err: coerceError(error), batch: id }, 'orphaned-host check failed; the next check tries again');
          }
        }
        await dispatchBatch(context, id);
      }
    } catch (error) {
      log.error({ err: coerceError(error) }, 'dispatch pass failed; the next pass tries again');
    }
  };
  const loop = (): void => {
    if (stopped) return;
    passing = pass().finally(() => {
      if (!stopped) timer = setTimeout(loop, options.dispatchIntervalMs ?? 1000);
    });
  };
  loop();

  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        await task.stop();
        await task.destroy();
        planning = planning.catch(() => undefined);
        await Promise.all([planning, passing]);
        await context.audit.flush();
      })();
      return stopping;
    },
  };
}
