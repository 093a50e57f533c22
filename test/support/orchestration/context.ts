import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config/index.js';
import type { Clock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, type OrchestrationContext } from '../../../src/releases/index.js';
import { writeFleetConfig, type FleetOptions } from './fleet-config.js';

export function uniquePrefix(label: string): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`;
}

/** An orchestration context on its own Redis connection over a fleet config; `close()` releases both connections. */
export async function fleetContext(redisUrl: string, options: FleetOptions, clock: Clock, actor = 'system:test'): Promise<OrchestrationContext & { close(): Promise<void>; configDir: string }> {
  const configDir = await writeFleetConfig(options);
  const config = await loadConfig({ dir: configDir });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const auditRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = silentLogger();
  const queue = createHostRunQueue(redis, options.prefix);
  const audit = createAuditWriter(auditRedis, options.prefix, logger);
  return {
    config,
    redis,
    prefix: options.prefix,
    queue,
    clock,
    logger,
    audit,
    actor,
    configDir,
    async close() {
      await audit.flush();
      await queue.close();
      await redis.quit();
      await auditRedis.quit();
    },
  };
}
