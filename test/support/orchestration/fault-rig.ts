import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFinalBatchStatus, isFinalHostState } from '../../../src/domain/index.js';
import { systemClock } from '../../../src/platform/clock.js';
import { startRedisServer, type RedisServerProcess } from '../../../src/platform/redis-server-process.js';
import type { OrchestrationContext } from '../../../src/releases/index.js';
import { batchHosts, getBatch, listRuns, type BatchRecord, type RunRecord } from '../../../src/store/index.js';
import { fleetContext, uniquePrefix } from './context.js';
import type { FleetOptions } from './fleet-config.js';
import { spawnRedback, type RedbackProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * A fault-test rig: a private redis-server for this test alone, a fleet config pointing at it, a context for the
 * test's own reads, and `node bin/redback.js` children (scheduler, workers) that it stops at the end.
 */
export interface FaultRig {
  redis: RedisServerProcess;
  /** Stops the redis-server (SIGTERM: it writes its append-only file) and starts it again on the same port and data. */
  restartRedis(): Promise<void>;
  context: OrchestrationContext;
  configDir: string;
  spawn(args: readonly string[]): RedbackProcess;
  /** Output of every child, for failure messages. */
  outputs(): string;
  waitForFinalBatch(batchId: string, timeoutMs?: number): Promise<BatchRecord>;
  runs(batchId: string): Promise<RunRecord[]>;
  cleanup(): Promise<void>;
}

export async function startFaultRig(label: string, fleet: Omit<FleetOptions, 'prefix' | 'redisUrl'>, options: { appendOnly?: boolean } = {}): Promise<FaultRig> {
  const dataDir = await mkdtemp(join(tmpdir(), `redback-${label}-redis-`));
  const redis = await startRedisServer({ dataDir, appendOnly: options.appendOnly ?? false });
  const context = await fleetContext(redis.url, { ...fleet, prefix: uniquePrefix(label), redisUrl: redis.url }, systemClock);
  const children: RedbackProcess[] = [];
  const rig: FaultRig = {
    redis,
    async restartRedis() {
      await rig.redis.stop();
      rig.redis = await startRedisServer({ dataDir, appendOnly: options.appendOnly ?? false, port: rig.redis.port });
    },
    context,
    configDir: context.configDir,
    spawn(args) {
      const child = spawnRedback([...args, '--config', context.configDir], { REDIS_URL: '' });
      children.push(child);
      return child;
    },
    outputs: () => children.map((c, i) => `--- child ${i} ---\n${c.output().slice(-4000)}`).join('\n'),
    async waitForFinalBatch(batchId, timeoutMs = 90_000) {
      return await waitFor(() => `batch ${batchId} and its hosts to be final\n${rig.outputs()}`, async () => {
        const batch = await getBatch(context.redis, context.prefix, batchId);
        if (batch === undefined || !isFinalBatchStatus(batch.status)) return undefined;
        const hosts = await batchHosts(context.redis, context.prefix, batch);
        return hosts.every((h) => isFinalHostState(h.state)) ? batch : undefined;
      }, timeoutMs, 250);
    },
    runs: (batchId) => listRuns(context.redis, context.prefix, { batchId, limit: 1000 }),
    async cleanup() {
      await Promise.all(children.map((c) => c.stop()));
      await context.close();
      await rig.redis.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(context.configDir, { recursive: true, force: true });
    },
  };
  return rig;
}

/** True when two runs on the same host overlap in time (they must never). */
export function overlappingRuns(runs: readonly RunRecord[]): Array<[string, string]> {
  const overlaps: Array<[string, string]> = [];
  const started = runs.filter((r) => r.startedAt !== null && r.finishedAt !== null && (r.status === 'succeeded' || r.status === 'failed' || r.status === 'interrupted'));
  for (const a of started) {
    for (const b of started) {
      if (a.id >= b.id || a.hostId !== b.hostId) continue;
      if (Date.parse(a.startedAt!) < Date.parse(b.finishedAt!) && Date.parse(b.startedAt!) < Date.parse(a.finishedAt!)) overlaps.push([a.id, b.id]);
    }
  }
  return overlaps;
}
