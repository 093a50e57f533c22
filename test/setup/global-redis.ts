import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedisServer } from '../../src/platform/redis-server-process.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The private Redis of this test run (never the machine's shared 6379). */
    redisUrl: string;
  }
}

/** Starts one private redis-server on a free loopback port for the whole run; tests isolate by key prefix. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'redback-test-redis-'));
  const server = await startRedisServer({ dataDir, appendOnly: false });
  project.provide('redisUrl', server.url);
  process.env.REDBACK_TEST_REDIS_URL = server.url;
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
