import type { Redis } from 'ioredis';

/**
 * Which worker processes are connected: each worker role keeps its id in a sorted set scored by the instant its
 * presence expires, renewed every few seconds and removed when it stops. A worker that dies drops out after
 * `PRESENCE_TTL_MS`. `redback run` reads it to say so when nobody would take its jobs.
 */
export const PRESENCE_TTL_MS = 15_000;
const RENEW_EVERY_MS = 5_000;

function presenceKey(prefix: string): string {
  return `${prefix}:workers:alive`;
}

export interface WorkerPresence {
  stop(): Promise<void>;
}

export function startWorkerPresence(redis: Redis, prefix: string, workerId: string, onError: (error: unknown) => void = () => undefined): WorkerPresence {
  const key = presenceKey(prefix);
  const renew = (): Promise<unknown> => redis.zadd(key, Date.now() + PRESENCE_TTL_MS, workerId).catch(onError);
  let renewing: Promise<unknown> = renew();
  const timer = setInterval(() => {
    renewing = renew();
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await renewing;
      await redis.zrem(key, workerId).catch(onError);
    },
  };
}

/** Ids of the workers whose presence has not expired, sorted. */
export async function liveWorkers(redis: Redis, prefix: string, nowMs: number = Date.now()): Promise<string[]> {
  const key = presenceKey(prefix);
  await redis.zremrangebyscore(key, '-inf', `(${nowMs}`);
  return (await redis.zrangebyscore(key, nowMs, '+inf')).sort();
}
