import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { findWindow, hostsOfWindow, loadConfig, type ResolvedConfig } from '../src/config/index.js';
import { occurrenceId } from '../src/domain/index.js';
import { systemClock } from '../src/platform/clock.js';
import { silentLogger } from '../src/platform/logger.js';
import { startRedisServer, type RedisServerProcess } from '../src/platform/redis-server-process.js';
import { createHostRunQueue } from '../src/queue/index.js';
import { createAuditWriter, planOccurrence, type OrchestrationContext } from '../src/releases/index.js';

/** Shared pieces of the benchmarks: a private Redis, a fleet config, a batch whose window is open now. */

export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown'}), node ${process.version}, redis ${execFileSync('redis-server', ['--version']).toString().match(/v=([\d.]+)/)?.[1] ?? '?'}`;
}

export async function privateRedis(): Promise<RedisServerProcess> {
  return await startRedisServer({ dataDir: await mkdtemp(join(tmpdir(), 'redback-bench-redis-')), appendOnly: false });
}

export interface BenchFleet {
  hosts: number;
  prefix: string;
  /** YAML of the host entries' transport part, per host index (0-based). */
  hostYaml: (index: number) => string;
  stepsYaml: string;
  rolloutYaml: string;
}

export async function writeBenchConfig(fleet: BenchFleet): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-bench-config-'));
  const hosts = Array.from({ length: fleet.hosts }, (_, i) => `  - { id: h-${String(i + 1).padStart(5, '0')}, customer: acme, os: debian, groups: [fleet], ${fleet.hostYaml(i)} }`).join('\n');
  const files: Record<string, string> = {
    'redback.yaml': `redis:\n  prefix: ${fleet.prefix}\n`,
    'inventory/fleet.yaml': `customers:
  - id: acme
    name: Acme
    timezone: UTC
    contract:
      business_hours: 24x7
      sla: { 1: { response: 15m, resolution: 4h }, 2: { response: 30m, resolution: 8h }, 3: { response: 2h, resolution: 3d }, 4: { response: 8h, resolution: 10d }, 5: { response: 2d, resolution: 30d } }
hosts:
${hosts}
`,
    'playbooks/bench.yaml': `id: bench\nkind: custom\nos: debian\nsteps:\n${fleet.stepsYaml}\n`,
    'schedules/fleet.yaml': `customer: acme
timezone: UTC
windows:
  - id: fleet
    cron: "0 3 1 1 *"
    duration: 4h
    targets: { groups: [fleet] }
    playbooks: [bench]
    approval: auto
    rollout: ${fleet.rolloutYaml}
`,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

export async function benchContext(redisUrl: string, configDir: string): Promise<OrchestrationContext & { close(): Promise<void> }> {
  const config: ResolvedConfig = await loadConfig({ dir: configDir });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const auditRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = silentLogger();
  const prefix = config.settings.redis.prefix;
  const queue = createHostRunQueue(redis, prefix);
  const audit = createAuditWriter(auditRedis, prefix, logger);
  return {
    config, redis, prefix, queue, clock: systemClock, logger, audit, actor: 'system:bench',
    async close() {
      await audit.flush();
      await queue.close();
      await redis.quit();
      await auditRedis.quit();
    },
  };
}

/** Plans the `fleet` window's batch for an occurrence that opened a second ago and stays open for four hours. */
export async function planOpenBatch(context: OrchestrationContext): Promise<string> {
  const window = findWindow(context.config, 'fleet');
  if (window === undefined) throw new Error('bench config has no window fleet');
  const startMs = Math.floor(Date.now() / 1000) * 1000 - 1000;
  const endMs = startMs + 4 * 3600_000;
  const id = occurrenceId('fleet', startMs);
  await planOccurrence(context, window, {
    id, windowId: 'fleet', customerId: 'acme', timezone: 'UTC', localDate: new Date(startMs).toISOString().slice(0, 10),
    start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), cutoff: new Date(endMs).toISOString(),
    startMs, endMs, cutoffMs: endMs, playbooks: window.playbooks, hostIds: hostsOfWindow(context.config, window).map((h) => h.id), approval: 'auto',
  });
  return id;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
