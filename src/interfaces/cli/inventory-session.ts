import type { ResolvedConfig } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { connectRedis } from '../../platform/index.js';
import { createHostInventoryStore, type HostInventoryStore } from '../../store/index.js';

/** Whether the configuration names a Redis (redis.url, REDIS_URL or Sentinel): only then is there an inventory to keep. */
export function redisConfigured(config: ResolvedConfig): boolean {
  return config.settings.redis.url !== undefined || config.settings.redis.sentinel !== undefined;
}

/** Opens the host inventory store on the configured Redis for one piece of work, and closes the connection after. */
export async function withInventoryStore<T>(config: ResolvedConfig, work: (store: HostInventoryStore) => Promise<T>): Promise<T> {
  const settings = config.settings.redis;
  if (!redisConfigured(config)) {
    throw new AppError('prerequisite-missing', 'the host inventory lives in Redis, and none is configured: set redis.url in redback.yaml or export REDIS_URL');
  }
  // One attempt, no reconnect loop: a CLI command should say at once that Redis is not there.
  const redis = await connectRedis(settings, { reconnect: false }, { maxRetriesPerRequest: 1 });
  try {
    return await work(createHostInventoryStore(redis, settings.prefix));
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
