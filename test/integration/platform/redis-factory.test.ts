import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRedis } from '../../../src/platform/redis.js';
import { findFreePort } from '../../../src/platform/free-port.js';

describe('createRedis (real Redis)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGKILL')));

  it('connects by URL, with the option BullMQ workers need', async () => {
    const redis = createRedis({ url: inject('redisUrl') });
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(redis.options.maxRetriesPerRequest).toBeNull();
    } finally {
      redis.disconnect();
    }
  });

  it('finds the master through a real Redis Sentinel', async () => {
    const masterPort = Number(new URL(inject('redisUrl')).port);
    const sentinelPort = await findFreePort();
    const dir = await mkdtemp(join(tmpdir(), 'redback-sentinel-'));
    const configFile = join(dir, 'sentinel.conf');
    await writeFile(configFile, [`port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor testmaster 127.0.0.1 ${masterPort} 1`, ''].join('\n'));
    const sentinel = spawn('redis-server', [configFile, '--sentinel'], { stdio: 'ignore' });
    children.push(sentinel);
    await waitForPort(sentinelPort);
    const redis = createRedis({ sentinel: { name: 'testmaster', sentinels: [{ host: '127.0.0.1', port: sentinelPort }] } }, { sentinelRetryStrategy: (times) => (times > 50 ? null : 100) });
    try {
      const key = `test-sentinel-${Date.now()}`;
      await redis.set(key, 'through-sentinel', 'EX', 30);
      // The value is on the master the sentinel pointed at: read it back over a direct connection.
      const direct = createRedis({ url: inject('redisUrl') });
      expect(await direct.get(key)).toBe('through-sentinel');
      direct.disconnect();
    } finally {
      redis.disconnect();
    }
  });

  it('refuses to start without a URL or Sentinel, saying what to set', () => {
    expect(() => createRedis({})).toThrow(/set redis.url in redback.yaml or REDIS_URL/);
  });
});

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.end(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} after 5 s`);
}
