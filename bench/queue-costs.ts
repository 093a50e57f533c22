import type { Redis } from 'ioredis';
import type { ExecResult, Transport } from '../src/execution/index.js';

/**
 * Shared by the queue benchmarks: a bench-only no-op transport, and clocks for wall time and the CPU of Node and
 * of Redis. On a 2-core machine shared by both, CPU per run is what bounds throughput, so the figures say where a
 * run's cost is.
 */
export interface Cost {
  elapsedMs: number;
  nodeCpuUs: number;
  redisCpuUs: number;
}

/** Bench-only transport: every command succeeds at once with no output. */
export function noopTransport(hostId: string): Transport {
  const ok: ExecResult = { exitCode: 0, stdout: '', stderr: '', stdoutTruncatedBytes: 0, stderrTruncatedBytes: 0, durationMs: 0 };
  return {
    kind: 'noop', hostId, shell: 'posix',
    connect: async () => undefined,
    exec: async () => ok,
    reboot: async () => ({ bootTimeBefore: '', bootTimeAfter: '', durationMs: 0 }),
    close: async () => undefined,
  };
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/** Starts the clocks: wall time and the CPU of Node and of Redis; `stop` gives what each spent since. */
export async function startClocks(redis: Redis): Promise<{ stop(): Promise<Cost> }> {
  const redisBefore = await redisCpuSeconds(redis);
  const nodeBefore = process.cpuUsage();
  const started = Date.now();
  return {
    async stop() {
      const elapsedMs = Date.now() - started;
      const node = process.cpuUsage(nodeBefore);
      return { elapsedMs, nodeCpuUs: node.user + node.system, redisCpuUs: ((await redisCpuSeconds(redis)) - redisBefore) * 1e6 };
    },
  };
}

export function perRun(cost: Cost, runs: number): string {
  return `CPU per run: Node ${Math.round(cost.nodeCpuUs / runs)} us, Redis ${Math.round(cost.redisCpuUs / runs)} us`;
}
