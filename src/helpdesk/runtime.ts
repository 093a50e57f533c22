import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/index.js';
import { systemClock, type Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { readSecret } from '../platform/secrets.js';
import { nextOccurrenceForHost } from '../scheduling/index.js';
import type { ReminderDelivery } from '../releases/index.js';
import { approvalReminderDelivery } from './approval-reminders.js';
import { createHelpdesk, type Helpdesk } from './create-helpdesk.js';
import { directoryFromConfig } from './directory.js';
import type { NextWindowFor } from './escalation.js';
import { NotificationDispatcher, startNotificationWorker } from './notifications/index.js';
import { RunEventConsumer } from './run-event-consumer.js';

export interface HelpdeskRuntime {
  helpdesk: Helpdesk;
  /** Approval reminders through the notifiers (pass it to the scheduler role). */
  deliverApprovalReminder: ReminderDelivery;
  /** Stops the consumer, the SLA tick and the notification worker; leaves the Redis connection open. */
  stop(): Promise<void>;
}

/** How often SLA milestones are checked and waiting incidents resumed. */
export const SLA_TICK_MS = 60_000;

/** Scheduling's answer to "when is this host's next window", for the escalation of unreachable hosts. */
export function nextWindowFromConfig(config: ResolvedConfig): NextWindowFor {
  return (hostId, after) => {
    if (!config.hosts.some((h) => h.id === hostId)) return undefined;
    const next = nextOccurrenceForHost(config, hostId, after);
    return next === undefined ? undefined : { occurrenceId: next.id, start: new Date(next.start) };
  };
}

/**
 * The helpdesk role of `redback serve` / `redback scheduler`: consumes run events into incidents, delivers
 * notifications, and runs the SLA tick. Every part is safe to run on several machines at once.
 */
export function startHelpdeskRuntime(options: { config: ResolvedConfig; redis: Redis; logger: Logger; clock?: Clock; tickMs?: number }): HelpdeskRuntime {
  const { config, redis, logger } = options;
  const prefix = config.settings.redis.prefix;
  const directory = directoryFromConfig(config);
  const notifiers = config.settings.notifiers;
  const dispatcher = new NotificationDispatcher({ connection: redis, prefix, notifiers });
  const workerConnection = redis.duplicate();
  const worker = startNotificationWorker({
    connection: workerConnection,
    redis,
    prefix,
    notifiers,
    logger,
    send: {
      readSecret: (reference) => readSecret(reference, { baseDir: config.dir }),
      contactEmails: (customerId) => directory.contactEmails(customerId),
      consoleUrl: config.settings.api.publicUrl,
      nowSeconds: () => Math.floor((options.clock ?? systemClock).now().getTime() / 1000),
    },
  });
  const helpdesk = createHelpdesk({
    redis,
    prefix,
    directory,
    clock: options.clock ?? systemClock,
    publisher: dispatcher,
    nextWindowFor: nextWindowFromConfig(config),
    priorityMatrix: config.settings.helpdesk.priorityMatrix,
  });
  const consumer = new RunEventConsumer({ redis, prefix, consumerName: `${hostname()}-${process.pid}`, escalation: helpdesk.escalation, logger });
  consumer.start();
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    helpdesk.incidents
      .tick()
      .then((result) => {
        if (result.resumed.length + result.milestones.length > 0) logger.info(result, 'helpdesk SLA tick');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'helpdesk SLA tick failed; next tick retries'))
      .finally(() => {
        ticking = false;
      });
  }, options.tickMs ?? SLA_TICK_MS);
  logger.info({ notifiers: notifiers.map((n) => n.id) }, 'helpdesk started: run events -> incidents, SLA tick, notifications');
  return {
    helpdesk,
    deliverApprovalReminder: approvalReminderDelivery({ notifiers, publisher: dispatcher, now: () => (options.clock ?? systemClock).now() }),
    async stop() {
      clearInterval(timer);
      for (const step of [() => consumer.stop(), () => worker.close(), () => dispatcher.close(), () => workerConnection.quit()]) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error }, 'helpdesk: a shutdown step failed; continuing');
        }
      }
    },
  };
}
