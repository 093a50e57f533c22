import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { connectRedis, systemClock, throttledErrorReporter, type Logger, type RedisConnectionSettings, type ShutdownCoordinator } from '../../platform/index.js';
import { createHostRunQueue } from '../../queue/index.js';
import { createAuditWriter, type OrchestrationContext } from '../../releases/index.js';

/**
 * Wires an orchestration context for a CLI role: a Redis connection for records and the queue, a second one for
 * the audit chain (its WATCH must not interleave with other commands), the host-run queue, the system clock.
 * Every piece is registered with the shutdown coordinator in the order it must stop.
 */
export async function createOrchestrationContext(options: {
  config: ResolvedConfig;
  logger: Logger;
  actor: string;
  shutdown: ShutdownCoordinator;
  /** Use this Redis URL instead of the config's (serve passes its embedded server). */
  redisUrl?: string;
}): Promise<OrchestrationContext> {
  const { config, logger, shutdown } = options;
  const settings: RedisConnectionSettings = options.redisUrl !== undefined ? { url: options.redisUrl } : config.settings.redis;
  if (settings.url === undefined && settings.sentinel === undefined) {
    throw new AppError('prerequisite-missing', 'no Redis configured: set redis.url in redback.yaml or REDIS_URL (only `redback serve` starts an embedded Redis)');
  }
  const redis = await connect(settings, shutdown, logger, 'redis connection');
  const auditRedis = await connect(settings, shutdown, logger, 'audit redis connection');
  const prefix = config.settings.redis.prefix;
  const queue = createHostRunQueue(redis, prefix);
  queue.on('error', throttledErrorReporter(logger, 'host-run queue error'));
  shutdown.add('host-run queue', () => queue.close());
  const audit = createAuditWriter(auditRedis, prefix, logger);
  shutdown.add('audit writer', () => audit.flush());
  return { config, redis, prefix, queue, clock: systemClock, logger, audit, actor: options.actor };
}

async function connect(settings: RedisConnectionSettings, shutdown: ShutdownCoordinator, logger: Logger, name: string): Promise<Redis> {
  const redis = await connectRedis(settings, { reconnect: true, logger, name });
  shutdown.add(name, async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}
