import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from './logger.js';
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

export interface ConnectOptions {
  /**
   * Reconnect after the connection is lost (a restarted Redis): for long-running roles. A one-shot command leaves it
   * off and fails its next command instead.
   */
  reconnect: boolean;
  /** Where a lost connection is reported once per outage, and its return; without it, errors after connecting stay quiet. */
  logger?: Logger;
  /** Which connection, in those messages. */
  name?: string;
}

/**
 * Connects and waits until Redis answers. The first connection gets one attempt: a command should say at once that
 * Redis is not there (AppError prerequisite-missing, naming the host), not retry in the background while ioredis
 * prints "Unhandled error event" for every attempt. With `reconnect`, a connection lost later comes back on its own
 * (ioredis's backoff, at most 2 s apart).
 */
export async function connectRedis(settings: RedisConnectionSettings, options: ConnectOptions, redisOptions: RedisOptions = {}): Promise<Redis> {
  let connected = false;
  const redis = createRedis(settings, {
    ...redisOptions,
    lazyConnect: true,
    retryStrategy: (times) => (connected && options.reconnect ? Math.min(times * 50, 2000) : null),
  });
  const name = options.name ?? 'redis connection';
  let down = false;
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    // Before the first connection the rejected connect() below says it (with this error: connect() itself only
    // says "Connection is closed"); after, once per outage is enough.
    if (!connected) {
      firstError ??= error;
      return;
    }
    if (down) return;
    down = true;
    options.logger?.warn({ err: error, connection: name }, options.reconnect ? 'lost the connection to Redis; reconnecting' : 'lost the connection to Redis');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    options.logger?.info({ connection: name }, 'reconnected to Redis');
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new AppError('prerequisite-missing', `cannot reach Redis at ${describeRedis(settings)}: ${(firstError ?? (error as Error)).message}; is it running? (set redis.url in redback.yaml or REDIS_URL)`);
  }
  connected = true;
  return redis;
}

/** Host and port of the configured Redis, or its Sentinel master name: never the password a URL may hold. */
export function describeRedis(settings: RedisConnectionSettings): string {
  if (settings.url === undefined) return `sentinel master ${settings.sentinel?.name ?? '?'}`;
  try {
    return new URL(settings.url).host;
  } catch {
    return 'the configured URL (not a valid URL)';
  }
}
