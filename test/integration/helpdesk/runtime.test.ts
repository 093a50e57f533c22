import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { eventsStreamKey, startHelpdeskRuntime } from '../../../src/helpdesk/index.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { closeAuditWriter } from '../../../src/store/audit.js';
import { runEvent, writeHelpdeskConfig } from './helpdesk-fixture.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(async () => {
  await closeAuditWriter(redis);
  await redis.quit();
});

describe('the helpdesk runtime', () => {
  it('turns run events appended to the stream into incidents while running, and stops cleanly', async () => {
    const prefix = `rt-${randomUUID().slice(0, 8)}`;
    const config = await loadConfig({ dir: await writeHelpdeskConfig({ prefix }), env: {} });
    const runtime = startHelpdeskRuntime({ config, redis, logger: silentLogger(), tickMs: 100 });
    try {
      await redis.xadd(eventsStreamKey(prefix), '*', 'event', JSON.stringify(runEvent({ type: 'run.failed', hostId: 'web-02', failureClass: 'reboot-timeout', at: new Date().toISOString() })));
      await vi.waitFor(async () => expect(await runtime.helpdesk.incidents.list()).toHaveLength(1), { timeout: 60_000, interval: 50 });
      expect((await runtime.helpdesk.incidents.list())[0]).toMatchObject({ category: 'reboot-timeout', urgency: 'high', hosts: ['web-02'] });
    } finally {
      await runtime.stop();
    }
    const pending = (await redis.xpending(eventsStreamKey(prefix), 'helpdesk')) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });
});
