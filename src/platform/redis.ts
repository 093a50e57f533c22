import { Redis, type RedisOptions } from 'ioredis';
import { readSecret } from './secrets.js';

export interface RedisConnectionSettings {
  url?: string;
  sentinel?: { name: string; sentinels: Array<{ host: string; port: number }>; password?: string };
}

/**
 * Creates ioredis connections from the resolved settings: a URL, or Sentinel. `maxRetriesPerRequest: null` is
 * what BullMQ requires of the connections its workers block on; we use it everywhere so one factory serves all.
 */
export function createRedis(settings: RedisConnectionSettings, options: RedisOptions = {}): Redis {
  const common: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, ...options };
  if (settings.sentinel !== undefined) {
    return new Redis({
      ...common,
      sentinels: settings.sentinel.sentinels,
      name: settings.sentinel.name,
      password: settings.sentinel.password === undefined ? undefined : readSecret(settings.sentinel.password),
    });
  }
  if (settings.url === undefined) throw new Error('no Redis URL or Sentinel configured; set redis.url in redback.yaml or REDIS_URL');
  return new Redis(settings.url, common);
}
