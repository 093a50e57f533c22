import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import { AppError } from '../errors.js';
import { storeKeys } from './keys.js';

/**
 * The orchestration events stream: one Redis stream that the helpdesk, notifiers and the console consume.
 * Delivery is at least once (a retried step may append an event twice); consumers key on `runId`/`batchId`
 * and `type` to stay idempotent.
 */
export const EVENT_TYPES = [
  'batch.planned',
  'batch.awaiting-approval',
  'batch.approved',
  'batch.started',
  'batch.halted',
  'batch.finished',
  'batch.expired',
  'batch.cancelled',
  'run.queued',
  'run.started',
  'run.succeeded',
  'run.failed',
  'run.interrupted',
  'run.deferred',
  'run.skipped',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OrchestrationEvent {
  type: EventType;
  batchId: string;
  occurrenceId: string;
  windowId: string;
  customerId: string;
  /** Null on batch events. */
  hostId: string | null;
  /** The playbooks of the batch, joined by `,` when there are several; null when none applies. */
  playbookId: string | null;
  failureClass: FailureClass | null;
  /** `batchId/hostId`; null on batch events. */
  runId: string | null;
  /** ISO 8601 UTC. */
  at: string;
  /** Human-readable why: the deferral or halt reason, the final batch status. */
  reason?: string;
  /** For run.deferred: the occurrence the host moves to, when it has one. */
  deferredTo?: string | null;
  /** For batch.finished: the final status. */
  status?: string;
}

/** Roughly how many events the stream keeps (trimmed with `MAXLEN ~`). */
export const EVENTS_MAX_LENGTH = 100_000;

export async function appendEvent(redis: Redis, prefix: string, event: OrchestrationEvent): Promise<string> {
  const id = await redis.xadd(storeKeys(prefix).events, 'MAXLEN', '~', EVENTS_MAX_LENGTH, '*', 'event', JSON.stringify(event));
  if (id === null) throw new AppError('internal', `appending ${event.type} for ${event.runId ?? event.batchId} to the events stream returned no id`);
  return id;
}

export interface StoredEvent extends OrchestrationEvent {
  /** The stream id, `<ms>-<seq>`; pass it as `after` to read on. */
  id: string;
}

/** Reads events after a stream id (exclusive; `0` from the start), optionally waiting up to `blockMs` for new ones. */
export async function readEvents(redis: Redis, prefix: string, options: { after?: string; count?: number; blockMs?: number } = {}): Promise<StoredEvent[]> {
  const key = storeKeys(prefix).events;
  const after = options.after ?? '0';
  const count = options.count ?? 1000;
  const reply =
    options.blockMs === undefined
      ? await redis.xread('COUNT', count, 'STREAMS', key, after)
      : await redis.xread('COUNT', count, 'BLOCK', options.blockMs, 'STREAMS', key, after);
  return parseStreamReply(reply);
}

/**
 * A consumer group reader: each event goes to one consumer of the group, and stays pending until `ack`. Use one
 * group per consuming component (e.g. `helpdesk`), one consumer name per process.
 */
export interface EventConsumer {
  /** Next events for this consumer: first its own unacknowledged ones (after a crash), then new ones. */
  read(options?: { count?: number; blockMs?: number }): Promise<StoredEvent[]>;
  ack(ids: readonly string[]): Promise<void>;
}

export async function createEventConsumer(redis: Redis, prefix: string, group: string, consumer: string): Promise<EventConsumer> {
  const key = storeKeys(prefix).events;
  try {
    await redis.xgroup('CREATE', key, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
  // The backlog (entries delivered before a crash, never acknowledged) is read once, in order, from this cursor.
  let backlogCursor: string | undefined = '0';
  return {
    async read(options = {}) {
      const count = options.count ?? 100;
      if (backlogCursor !== undefined) {
        const pending = parseStreamReply(await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', key, backlogCursor));
        if (pending.length > 0) {
          backlogCursor = pending[pending.length - 1]!.id;
          return pending;
        }
        backlogCursor = undefined;
      }
      const reply =
        options.blockMs === undefined
          ? await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', key, '>')
          : await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', options.blockMs, 'STREAMS', key, '>');
      return parseStreamReply(reply);
    },
    async ack(ids) {
      if (ids.length > 0) await redis.xack(key, group, ...ids);
    },
  };
}

function parseStreamReply(reply: unknown): StoredEvent[] {
  if (!Array.isArray(reply)) return [];
  const events: StoredEvent[] = [];
  for (const stream of reply as Array<[string, Array<[string, string[]]>]>) {
    for (const [id, fields] of stream[1]) {
      const index = fields.indexOf('event');
      const raw = index >= 0 ? fields[index + 1] : undefined;
      if (raw === undefined) continue;
      events.push({ id, ...(JSON.parse(raw) as OrchestrationEvent) });
    }
  }
  return events;
}
