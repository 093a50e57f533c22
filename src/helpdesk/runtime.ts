import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/index.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { throttledErrorReporter } from '../platform/error-throttle.js';
import type { Logger } from '../platform/logger.js';
import { readSecret } from '../platform/secrets.js';
import { nextOccurrenceForHost } from '../scheduling/index.js';
import type { ReminderDelivery } from '../releases/index.js';
import { approvalReminderDelivery } from './approval-reminders.js';
import { CustomerNotices, type SentNotice } from './customer-notices/index.js';
import { createHelpdesk, type Helpdesk } from './create-helpdesk.js';
import { directoryFromConfig } from './directory.js';
import type { NextWindowFor } from './escalation.js';
import { NotificationDispatcher, startNotificationWorker } from './notifications/index.js';
import { RunEventConsumer } from './run-event-consumer.js';

export interface HelpdeskRuntime {
  helpdesk: Helpdesk;
  /** Approval reminders through the notifiers (pass it to the scheduler role). */
  deliverApprovalReminder: ReminderDelivery;
  /**
   * One pass of the customer notices (`customer_notices` in redback.yaml): the notices due and the reports of
   * finished windows, each sent once across every runtime on this Redis. Runs on the runtime's tick; callable for
   * a pass now. Returns [] when customer notices are disabled.
   */
  tickCustomerNotices(): Promise<SentNotice[]>;
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
 * The customer notices `customer_notices` in redback.yaml asks for, or undefined when they are disabled. The SMTP
 * server, password and sender come from the section itself or from the email notifier it names.
 */
export function customerNoticesFromConfig(config: ResolvedConfig, redis: Redis, clock: Clock): CustomerNotices | undefined {
  const settings = config.settings.customerNotices;
  if (!settings.enabled) return undefined;
  const notifier = settings.notifier === undefined ? undefined : config.settings.notifiers.find((n) => n.id === settings.notifier);
  const mail = notifier?.type === 'email' ? { smtpUrl: notifier.smtp_url, password: notifier.password, from: notifier.from } : { smtpUrl: settings.smtpUrl!, password: settings.password, from: settings.from! };
  const password = mail.password === undefined ? undefined : readSecret(mail.password, { baseDir: config.dir }).trim();
  return new CustomerNotices({
    redis,
    prefix: config.settings.redis.prefix,
    config,
    clock,
    noticeLeadMs: settings.leadTimeMs,
    reportLookbackMs: settings.reportLookbackMs,
    smtpUrl: mail.smtpUrl,
    ...(password === undefined ? {} : { smtpPassword: password }),
    from: settings.from ?? mail.from,
  });
}

/**
 * The helpdesk role of `redback serve` / `redback scheduler`: consumes run events into incidents, delivers
 * notifications, runs the SLA tick and sends the customer notices. Every part is safe to run on several machines at once.
 */
export function startHelpdeskRuntime(options: { config: ResolvedConfig; redis: Redis; logger: Logger; clock?: Clock; tickMs?: number; noticeTickMs?: number }): HelpdeskRuntime {
  const { config, redis, logger } = options;
  const prefix = config.settings.redis.prefix;
  const directory = directoryFromConfig(config);
  const notifiers = config.settings.notifiers;
  // First, so a missing SMTP password secret stops the start before anything runs.
  const notices = customerNoticesFromConfig(config, redis, options.clock ?? systemClock);
  const dispatcher = new NotificationDispatcher({ connection: redis, prefix, notifiers });
  dispatcher.queue.on('error', throttledErrorReporter(logger, 'notification queue error'));
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
  // Customer notices on their own tick, so a slow SMTP server never holds up the SLA clocks. Every mail is claimed
  // in Redis before it is sent (CustomerNotices), so all schedulers may tick; each notice still goes out once.
  let noticing = false;
  const noticeTimer =
    notices === undefined
      ? undefined
      : setInterval(() => {
          if (noticing) return;
          noticing = true;
          notices
            .tick()
            .then((sent) => {
              if (sent.length > 0) logger.info({ sent: sent.map((n) => `${n.kind} ${n.batchId}`) }, `sent ${sent.length} customer notice${sent.length === 1 ? '' : 's'}`);
            })
            .catch((error: unknown) => logger.error({ err: error }, 'customer notices failed; the next tick retries'))
            .finally(() => {
              noticing = false;
            });
        }, options.noticeTickMs ?? options.tickMs ?? SLA_TICK_MS);
  logger.info({ notifiers: notifiers.map((n) => n.id), customerNotices: notices !== undefined }, 'helpdesk started: run events -> incidents, SLA tick, notifications, customer notices when enabled');
  return {
    helpdesk,
    deliverApprovalReminder: approvalReminderDelivery({ notifiers, publisher: dispatcher, now: () => (options.clock ?? systemClock).now() }),
    tickCustomerNotices: async () => (notices === undefined ? [] : await notices.tick()),
    async stop() {
      clearInterval(timer);
      if (noticeTimer !== undefined) clearInterval(noticeTimer);
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
