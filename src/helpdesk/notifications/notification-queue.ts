import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { throttledErrorReporter } from '../../platform/error-throttle.js';
import type { Logger } from '../../platform/logger.js';
import { eventMatches, type EventPublisher, type HelpdeskEvent } from '../events.js';
import { sendNotification, type NotifierConfig, type SendContext } from './senders.js';

export const NOTIFICATION_QUEUE = 'notifications';
/** E-mail and chat notifiers have no `max_attempts` setting; they get this many. */
export const DEFAULT_NOTIFICATION_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 5_000;

export interface NotificationJob {
  notifierId: string;
  event: HelpdeskEvent;
}

export interface DeadLetter {
  notifierId: string;
  deliveryId: string;
  eventType: string;
  subject: string;
  attempts: number;
  error: string;
  at: string;
}

export function deadLetterKey(prefix: string): string {
  return `${prefix}:helpdesk:notifications-dead-letter`;
}

/** Which notifiers take an event: its type must match one of `events`, and its customer be in `customers` when set. */
export function notifiersFor(notifiers: readonly NotifierConfig[], event: HelpdeskEvent): NotifierConfig[] {
  return notifiers.filter(
    (n) => n.events.some((pattern) => eventMatches(pattern, event.type)) && (n.customers === undefined || (event.customerId !== null && n.customers.includes(event.customerId))),
  );
}

export function attemptsFor(notifier: NotifierConfig): number {
  return notifier.type === 'webhook' ? notifier.max_attempts : DEFAULT_NOTIFICATION_ATTEMPTS;
}

/**
 * The publisher side: one BullMQ job per (notifier, event), with the notifier's attempts and exponential
 * backoff. The job id `<notifier>/<event id>` makes a second publish of the same event a no-op.
 */
export class NotificationDispatcher implements EventPublisher {
  readonly queue: Queue<NotificationJob>;
  readonly #notifiers: readonly NotifierConfig[];
  readonly #backoffMs: number;

  constructor(options: { connection: ConnectionOptions; prefix: string; notifiers: readonly NotifierConfig[]; backoffMs?: number }) {
    this.queue = new Queue<NotificationJob>(NOTIFICATION_QUEUE, { connection: options.connection, prefix: options.prefix });
    this.#notifiers = options.notifiers;
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  async publish(event: HelpdeskEvent): Promise<void> {
    for (const notifier of notifiersFor(this.#notifiers, event)) {
      await this.queue.add(
        'deliver',
        { notifierId: notifier.id, event },
        {
          jobId: `${notifier.id}/${event.id}`,
          attempts: attemptsFor(notifier),
          backoff: { type: 'exponential', delay: this.#backoffMs },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * The worker side: delivers each job; on the last failed attempt the delivery goes to the dead-letter list
 * (`<prefix>:helpdesk:notifications-dead-letter`) where an engineer can see what never arrived.
 */
export function startNotificationWorker(options: {
  connection: ConnectionOptions;
  redis: Redis;
  prefix: string;
  notifiers: readonly NotifierConfig[];
  send: SendContext;
  logger?: Logger;
  concurrency?: number;
}): Worker<NotificationJob> {
  const byId = new Map(options.notifiers.map((n) => [n.id, n]));
  const worker = new Worker<NotificationJob>(
    NOTIFICATION_QUEUE,
    async (job: Job<NotificationJob>) => {
      const notifier = byId.get(job.data.notifierId);
      try {
        if (notifier === undefined) throw new Error(`notifier ${job.data.notifierId} is no longer in redback.yaml`);
        await sendNotification(notifier, job.data.event, job.id ?? job.data.event.id, options.send);
      } catch (error) {
        const attempts = job.opts.attempts ?? 1;
        if (job.attemptsMade + 1 >= attempts) {
          const letter: DeadLetter = {
            notifierId: job.data.notifierId,
            deliveryId: job.id ?? '',
            eventType: job.data.event.type,
            subject: job.data.event.subject,
            attempts,
            error: (error as Error).message,
            at: new Date().toISOString(),
          };
          await options.redis.rpush(deadLetterKey(options.prefix), JSON.stringify(letter));
          options.logger?.error({ notifier: letter.notifierId, delivery: letter.deliveryId }, `notification dead-lettered after ${attempts} attempts: ${letter.error}`);
        }
        throw error;
      }
    },
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 4 },
  );
  if (options.logger !== undefined) worker.on('error', throttledErrorReporter(options.logger, 'notification worker error'));
  else worker.on('error', () => undefined); // the caller chose no log; BullMQ would print each error to stderr
  return worker;
}

export async function readDeadLetters(redis: Redis, prefix: string): Promise<DeadLetter[]> {
  return (await redis.lrange(deadLetterKey(prefix), 0, -1)).map((raw) => JSON.parse(raw) as DeadLetter);
}
