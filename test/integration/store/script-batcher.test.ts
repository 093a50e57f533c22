import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { batchedScript, scriptBatcher } from '../../../src/store/script-batcher.js';

// A counter per key that fails on purpose when asked to add "boom"; each script call counts itself once (the
// helpers part runs once per call of the whole script), so a result says which group it came in.
const ADD = batchedScript(`local group = redis.call('INCR', KEYS[1] .. ':groups')`, `
if ARGV[1] == 'boom' then return redis.call('INCRBY', KEYS[1], 'not a number') end
return {group, redis.call('INCRBY', KEYS[1], ARGV[1])}`);

describe('script batcher (real Redis)', () => {
  const url = inject('redisUrl');
  const redis = new Redis(url);
  afterAll(async () => {
    await redis.quit();
  });

  it('sends calls made together as one script call, each getting its own result in order', async () => {
    const key = `test-batcher-${randomUUID()}`;
    const results = (await Promise.all(Array.from({ length: 40 }, () => scriptBatcher(redis, ADD).call([key], ['1'])))) as Array<[number, number]>;
    expect(results.map(([, value]) => value)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1)); // in call order
    expect(new Set(results.map(([group]) => group))).toEqual(new Set([1]));
    expect(await redis.get(key)).toBe('40');
  });

  it('a call that raises an error fails alone; the calls beside it in the group still apply', async () => {
    const key = `test-batcher-${randomUUID()}`;
    const outcomes = await Promise.allSettled([scriptBatcher(redis, ADD).call([key], ['2']), scriptBatcher(redis, ADD).call([key], ['boom']), scriptBatcher(redis, ADD).call([key], ['3'])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain('store script failed');
    expect(await redis.get(key)).toBe('5');
  });

  it('splits a burst larger than one group and keeps every result', async () => {
    const key = `test-batcher-${randomUUID()}`;
    const results = (await Promise.all(Array.from({ length: 300 }, () => scriptBatcher(redis, ADD).call([key], ['1'])))) as Array<[number, number]>;
    expect(results.map(([, value]) => value)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(new Set(results.map(([group]) => group)).size).toBe(Math.ceil(300 / 64)); // groups of at most 64 calls
  });
});
