import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { eventsStreamKey, startHelpdeskRuntime } from '../../../src/helpdesk/index.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { appendEvent } from '../../../src/store/events.js';
import { createHelpdesk, directoryFromConfig, RunEventConsumer } from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { connectRedis } from '../../../src/platform/redis.js';
import { startRedisServer } from '../../../src/platform/redis-server-process.js';
import { runEvent, writeHelpdeskConfig } from './helpdesk-fixture.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
afterAll(async () => {
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

  it('a Redis that goes away: no "Unhandled error event" printed for the consumer\'s own connection, and the consumer still stops', async () => {
    const prefix = `rt-${randomUUID().slice(0, 8)}`;
    const config = await loadConfig({ dir: await writeHelpdeskConfig({ prefix }), env: {} });
    const server = await startRedisServer({ dataDir: await mkdtemp(join(tmpdir(), 'redback-helpdesk-outage-')), appendOnly: false });
    const own = await connectRedis({ url: server.url }, { reconnect: true });
    const helpdesk = createHelpdesk({ redis: own, prefix, directory: directoryFromConfig(config), clock: new FixedClock('2026-04-14T20:30:00Z') });
    const consumer = new RunEventConsumer({ redis: own, prefix, consumerName: 'outage', escalation: helpdesk.escalation, logger: silentLogger() });
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      consumer.start();
      // Its blocking read waits on a connection of its own (a duplicate) when Redis goes.
      await vi.waitFor(async () => expect(await own.xinfo('GROUPS', eventsStreamKey(prefix))).toHaveLength(1), { timeout: 10_000, interval: 50 });
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // several reconnect attempts
      expect(printed.mock.calls.filter((args) => String(args[0]).includes('Unhandled error event'))).toEqual([]);
    } finally {
      printed.mockRestore();
      await consumer.stop();
      own.disconnect();
      await server.stop();
    }
  });

  it('reads events exactly as the orchestration appends them (store/events.ts appendEvent), batch events ignored', async () => {
    const prefix = `rt-${randomUUID().slice(0, 8)}`;
    const config = await loadConfig({ dir: await writeHelpdeskConfig({ prefix }), env: {} });
    const helpdesk = createHelpdesk({ redis, prefix, directory: directoryFromConfig(config), clock: new FixedClock('2026-04-14T20:30:00Z') });
    const consumer = new RunEventConsumer({ redis, prefix, consumerName: 'test', escalation: helpdesk.escalation });
    const base = { batchId: 'acme-monthly@20260414T200000Z', occurrenceId: 'acme-monthly@20260414T200000Z', windowId: 'acme-monthly', customerId: 'acme', at: '2026-04-14T20:30:00.000Z' };
    await appendEvent(redis, prefix, { ...base, type: 'batch.started', hostId: null, playbookId: 'debian-update,debian-security-patch', failureClass: null, runId: null });
    await appendEvent(redis, prefix, { ...base, type: 'run.failed', hostId: 'web-03', playbookId: 'debian-update,debian-security-patch', failureClass: 'auth', runId: `${base.batchId}/web-03`, reason: 'permission denied (publickey)' });
    await appendEvent(redis, prefix, { ...base, type: 'run.deferred', hostId: 'web-04', playbookId: 'debian-update', failureClass: null, runId: `${base.batchId}/web-04`, reason: 'cutoff', deferredTo: 'acme-monthly@20260512T200000Z' });
    const handled = await consumer.drain();
    expect(handled.map((h) => [h.type, h.outcome?.kind])).toEqual([['batch.started', undefined], ['run.failed', 'opened'], ['run.deferred', 'ignored']]);
    expect((await helpdesk.incidents.list())[0]).toMatchObject({ category: 'auth', hosts: ['web-03'], run: { affected: [{ runId: `${base.batchId}/web-03` }] } });
  });
});
