import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { createHelpdesk, directoryFromConfig, NotificationDispatcher, type Helpdesk } from '../../helpdesk/index.js';
import { connectRedis, systemClock } from '../../platform/index.js';
import { loadConfigForCli } from './load-config.js';

export interface HelpdeskSession {
  config: ResolvedConfig;
  helpdesk: Helpdesk;
  redis: Redis;
}

/**
 * Opens what the `incidents` and `problems` commands need: the configuration (contracts for SLA clocks),
 * Redis, and a notification producer (jobs go to the queue; `redback serve` or `redback worker` delivers).
 */
export async function withHelpdesk<T>(configDir: string | undefined, work: (session: HelpdeskSession) => Promise<T>): Promise<T> {
  const config = await loadConfigForCli(configDir);
  const redisSettings = config.settings.redis;
  if (redisSettings.url === undefined && redisSettings.sentinel === undefined) {
    throw new AppError(
      'prerequisite-missing',
      'this command needs Redis, and none is configured: set redis.url in redback.yaml or export REDIS_URL (the embedded Redis of `redback serve` is private to that process)',
    );
  }
  const redis = await connectRedis(redisSettings, { reconnect: false }, { maxRetriesPerRequest: 1 });
  const dispatcher = config.settings.notifiers.length === 0 ? undefined : new NotificationDispatcher({ connection: redis, prefix: config.settings.redis.prefix, notifiers: config.settings.notifiers });
  try {
    const helpdesk = createHelpdesk({
      redis,
      prefix: config.settings.redis.prefix,
      directory: directoryFromConfig(config),
      clock: systemClock,
      publisher: dispatcher,
      priorityMatrix: config.settings.helpdesk.priorityMatrix,
    });
    return await work({ config, helpdesk, redis });
  } finally {
    await dispatcher?.close();
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Who the CLI acts as in timelines and the audit stream. */
export function cliActor(given: string | undefined): string {
  return given ?? process.env.REDBACK_ACTOR ?? process.env.USER ?? 'cli';
}
