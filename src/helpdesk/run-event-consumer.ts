import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { storeKeys } from '../store/keys.js';
import type { Escalation, EscalationOutcome } from './escalation.js';
import { HANDLED_RUN_EVENT_TYPES, runEventSchema } from './run-events.js';

export const HELPDESK_CONSUMER_GROUP = 'helpdesk';

/** The orchestration events stream (`<prefix>:events`, one field `event` with the JSON; see store/events.ts). */
export function eventsStreamKey(prefix: string): string {
  return storeKeys(prefix).events;
}

export interface ConsumedEvent {
  streamId: string;
  type: string;
  outcome?: EscalationOutcome;
  error?: string;
}

/**
 * Reads the events stream as the `helpdesk` consumer group, so several helpdesk replicas share the work and
 * a crash leaves unacknowledged events to re-read. An event that cannot be parsed is logged and acknowledged
 * (it will not parse better next time); an event whose handling throws stays pending and is retried.
 */
export class RunEventConsumer {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #consumer: string;
  readonly #escalation: Escalation;
  readonly #logger: Logger | undefined;
  #groupReady = false;
  #stopping = false;
  // Settles when stop() is called: a read waiting on a connection that is reconnecting is never settled by
  // disconnect() (ioredis flushes its queue only when an open socket closes), so the loop also waits on this.
  #stopped: Promise<void>;
  #signalStopped: () => void = () => undefined;
  #loop: Promise<void> | undefined;
  #blocking: Redis | undefined;

  constructor(options: { redis: Redis; prefix: string; consumerName: string; escalation: Escalation; logger?: Logger }) {
    this.#redis = options.redis;
    this.#key = eventsStreamKey(options.prefix);
    this.#consumer = options.consumerName;
    this.#escalation = options.escalation;
    this.#logger = options.logger;
    this.#stopped = new Promise<void>((resolve) => (this.#signalStopped = resolve));
  }

  /** Handles everything available now (own pending entries first), without waiting for more. */
  async drain(): Promise<ConsumedEvent[]> {
    await this.#ensureGroup();
    const handled: ConsumedEvent[] = [];
    // Own pending entries once (a failure stays pending for the next drain), then new ones until none are left.
    handled.push(...(await this.#handle(await this.#read(this.#redis, '0', undefined))));
    for (;;) {
      const batch = await this.#read(this.#redis, '>', undefined);
      if (batch.length === 0) break;
      handled.push(...(await this.#handle(batch)));
    }
    return handled;
  }

  /** Runs until `stop()`, waiting on the stream with a blocking read on a connection of its own. */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#blocking = this.#redis.duplicate();
    const blocking = this.#blocking;
    // A duplicate has none of the original's listeners; without one, ioredis prints "Unhandled error event" to
    // stderr at every reconnect attempt while Redis is away. The loss shows as a failed read below, logged there.
    blocking.on('error', () => undefined);
    this.#loop = (async () => {
      await this.#ensureGroup();
      while (!this.#stopping) {
        try {
          const batch = await Promise.race([this.#read(blocking, '>', 2000), this.#stopped.then(() => undefined)]);
          if (batch === undefined) break;
          await this.#handle(batch);
        } catch (error) {
          if (this.#stopping) break;
          this.#logger?.error({ err: error }, 'helpdesk: reading the events stream failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#signalStopped();
    this.#blocking?.disconnect();
    await this.#loop?.catch(() => undefined);
  }

  async #ensureGroup(): Promise<void> {
    if (this.#groupReady) return;
    try {
      await this.#redis.xgroup('CREATE', this.#key, HELPDESK_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.#groupReady = true;
  }

  async #read(connection: Redis, id: string, blockMs: number | undefined): Promise<Array<[string, string[]]>> {
    const reply =
      blockMs === undefined
        ? await connection.xreadgroup('GROUP', HELPDESK_CONSUMER_GROUP, this.#consumer, 'COUNT', 100, 'STREAMS', this.#key, id)
        : await connection.xreadgroup('GROUP', HELPDESK_CONSUMER_GROUP, this.#consumer, 'COUNT', 100, 'BLOCK', blockMs, 'STREAMS', this.#key, id);
    const streams = (reply ?? []) as Array<[string, Array<[string, string[]]>]>;
    return streams.flatMap(([, entries]) => entries);
  }

  async #handle(entries: Array<[string, string[]]>): Promise<ConsumedEvent[]> {
    const results: ConsumedEvent[] = [];
    for (const [streamId, fields] of entries) {
      const index = fields.indexOf('event');
      let raw: unknown;
      try {
        raw = JSON.parse(index >= 0 ? (fields[index + 1] ?? '') : '');
      } catch {
        this.#logger?.warn({ streamId }, 'helpdesk: events stream entry has no JSON `event` field; skipped');
        await this.#redis.xack(this.#key, HELPDESK_CONSUMER_GROUP, streamId);
        results.push({ streamId, type: 'unreadable' });
        continue;
      }
      const type = typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type : 'unknown';
      if (!HANDLED_RUN_EVENT_TYPES.includes(type)) {
        await this.#redis.xack(this.#key, HELPDESK_CONSUMER_GROUP, streamId);
        results.push({ streamId, type });
        continue;
      }
      const parsed = runEventSchema.safeParse(raw);
      if (!parsed.success) {
        this.#logger?.warn({ streamId, issues: parsed.error.issues }, `helpdesk: ${type} event does not have the documented shape; skipped`);
        await this.#redis.xack(this.#key, HELPDESK_CONSUMER_GROUP, streamId);
        results.push({ streamId, type, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        continue;
      }
      try {
        const outcome = await this.#escalation.handle(parsed.data);
        await this.#redis.xack(this.#key, HELPDESK_CONSUMER_GROUP, streamId);
        results.push({ streamId, type, outcome });
      } catch (error) {
        this.#logger?.error({ err: error, streamId }, `helpdesk: handling ${type} failed; it stays pending and is retried`);
        results.push({ streamId, type, error: (error as Error).message });
      }
    }
    return results;
  }
}
