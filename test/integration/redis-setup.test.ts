import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';

describe('the private test Redis', () => {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
  afterAll(() => redis.quit());

  it('is reachable and is not the shared instance on 6379', async () => {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    expect(redis.options.port).not.toBe(6379);
  });
});
