import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { acquireHostLock, hostLockHolder } from '../../../src/queue/index.js';
import { appendEvent, createEventConsumer, readEvents, type OrchestrationEvent } from '../../../src/store/index.js';
import { uniquePrefix } from '../../support/orchestration/context.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(() => redis.quit());

const event = (runId: string): OrchestrationEvent => ({
  type: 'run.succeeded', batchId: 'w@20300101T030000Z', occurrenceId: 'w@20300101T030000Z', windowId: 'w', customerId: 'acme',
  hostId: runId.split('/')[1] ?? null, playbookId: 'update', failureClass: null, runId, at: '2030-01-01T03:00:00.000Z',
});

describe('host locks', () => {
  it('one holder at a time; release frees it; a holder never frees a lock it lost to another', async () => {
    const prefix = uniquePrefix('lock');
    const first = await acquireHostLock(redis, prefix, 'web-01', { owner: 'a', ttlMs: 400 });
    expect(first).toBeDefined();
    expect(await acquireHostLock(redis, prefix, 'web-01', { owner: 'b', ttlMs: 400 })).toBeUndefined();
    await first!.release();
    expect(await hostLockHolder(redis, prefix, 'web-01')).toBeNull();

    const stale = await acquireHostLock(redis, prefix, 'web-02', { owner: 'stale', ttlMs: 900 });
    await redis.set(`${prefix}:lock:host:web-02`, 'someone else'); // as if it expired and another run took it
    await stale!.lost; // the next renewal finds another token
    expect(stale!.isLost).toBe(true);
    await stale!.release();
    expect(await hostLockHolder(redis, prefix, 'web-02')).toBe('someone else');
  });

  it('is renewed while held, beyond its ttl', async () => {
    const prefix = uniquePrefix('renew');
    const lock = await acquireHostLock(redis, prefix, 'web-03', { owner: 'a', ttlMs: 600 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(lock!.isLost).toBe(false);
    expect(await hostLockHolder(redis, prefix, 'web-03')).toBe(lock!.token);
    await lock!.release();
  });
});

describe('events stream', () => {
  it('reads in order after an id, and a consumer group delivers each event once, redelivering unacknowledged ones after a restart', async () => {
    const prefix = uniquePrefix('events');
    for (const host of ['a', 'b', 'c']) await appendEvent(redis, prefix, event(`w@20300101T030000Z/${host}`));
    const all = await readEvents(redis, prefix);
    expect(all.map((e) => e.runId)).toEqual(['a', 'b', 'c'].map((h) => `w@20300101T030000Z/${h}`));
    expect((await readEvents(redis, prefix, { after: all[0]!.id })).map((e) => e.hostId)).toEqual(['b', 'c']);

    const consumer = await createEventConsumer(redis, prefix, 'helpdesk', 'one');
    const firstRead = await consumer.read({ count: 2 });
    expect(firstRead.map((e) => e.hostId)).toEqual(['a', 'b']);
    await consumer.ack([firstRead[0]!.id]);
    const restarted = await createEventConsumer(redis, prefix, 'helpdesk', 'one');
    expect((await restarted.read()).map((e) => e.hostId)).toEqual(['b']); // pending, not acknowledged
    expect((await restarted.read()).map((e) => e.hostId)).toEqual(['c']);
  });
});
