import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { startApi } from '../../../src/interfaces/api/runtime.js';
import { systemClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';

describe('API listen address (real sockets)', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await redis.quit();
  });

  it('an address already in use is refused with what to do, not a stack trace', async () => {
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as { port: number }).port;
    try {
      const config = await loadConfig({ dir: process.cwd(), env: {} });
      await expect(startApi({ config, redis, logger: silentLogger(), clock: systemClock, listen: `127.0.0.1:${port}` })).rejects.toThrow(
        `the API address 127.0.0.1:${port} is already in use (another redback serve or api, or another program); stop that process or set api.listen in redback.yaml to another address`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
