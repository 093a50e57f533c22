import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../config/index.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import type { HostRunQueue } from '../queue/index.js';
import { appendEvent, type OrchestrationEvent } from '../store/index.js';
import type { AuditWriter } from './audit-writer.js';

/** What every orchestration role works with: the config, Redis, the queue, the clock and who is acting. */
export interface OrchestrationContext {
  config: ResolvedConfig;
  redis: Redis;
  prefix: string;
  queue: HostRunQueue;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  /** `system:scheduler`, `system:worker`, or a person for CLI actions. */
  actor: string;
}

export async function emit(context: OrchestrationContext, event: Omit<OrchestrationEvent, 'at'> & { at?: string }): Promise<void> {
  await appendEvent(context.redis, context.prefix, { ...event, at: event.at ?? context.clock.now().toISOString() });
}
