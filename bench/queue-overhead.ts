/**
 * Queue overhead: 20,000 host runs through the whole path (planned batch, dispatcher, BullMQ, worker with host
 * locks, the playbook runner over a no-op transport, run records, events, audit) against a bare BullMQ
 * producer/worker pair doing 20,000 no-op jobs at the same concurrency, on the same private Redis, in one run.
 * Target: the whole path reaches at least half of bare BullMQ's throughput.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { isFinalBatchStatus } from '../src/domain/index.js';
import { createRunnerExecutor, dispatchBatch, startScheduler, startWorkerRole } from '../src/releases/index.js';
import { batchCounts, getBatch } from '../src/store/index.js';
import { noopTransport, perRun as perRunOf, startClocks, type Cost } from './queue-costs.js';
import { benchContext, machineLine, planOpenBatch, privateRedis, seconds, writeBenchConfig } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);

async function bareBullmq(url: string, probe: Redis): Promise<Cost> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix: 'bare' });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const clocks = await startClocks(probe);
  const worker = new Worker('bare', async () => undefined, { connection, prefix: 'bare', concurrency: CONCURRENCY });
  worker.on('completed', () => {
    done += 1;
    if (done === RUNS) finish();
  });
  for (let i = 0; i < RUNS; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, RUNS - i) }, (_, j) => ({ name: 'noop', data: { n: i + j }, opts: { jobId: `bare/${i + j}` } })));
  }
  await finished;
  const cost = await clocks.stop();
  await worker.close();
  await queue.close();
  await connection.quit();
  return cost;
}

async function wholePath(url: string, probe: Redis): Promise<Cost> {
  const configDir = await writeBenchConfig({ hosts: RUNS, prefix: 'whole', hostYaml: () => 'address: localhost, transport: local', stepsYaml: '  - { name: noop, run: "true" }', rolloutYaml: '{ max_concurrency: "100%" }' });
  const context = await benchContext(url, configDir);
  const worker = startWorkerRole(context, { executor: createRunnerExecutor(context.config, context.logger, { transportFor: (host) => noopTransport(host.id) }), concurrency: CONCURRENCY });
  const clocks = await startClocks(probe);
  const batchId = await planOpenBatch(context);
  await dispatchBatch(context, batchId); // as the scheduler does for a batch it plans inside an open window
  const scheduler = startScheduler(context, { dispatchIntervalMs: 1000 });
  for (;;) {
    const batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch !== undefined && isFinalBatchStatus(batch.status)) {
      const cost = await clocks.stop();
      const counts = await batchCounts(context.redis, context.prefix, batch);
      if (counts.succeeded !== RUNS) throw new Error(`expected ${RUNS} succeeded runs, got ${JSON.stringify(counts)} (batch ${batch.status})`);
      await scheduler.stop();
      await worker.stop();
      await context.close();
      return cost;
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // the bare side stops its clock at the exact last completion
  }
}

const redis = await privateRedis();
const probe = new Redis(redis.url);
try {
  console.log(`queue overhead: ${RUNS} host runs, concurrency ${CONCURRENCY}`);
  console.log(machineLine());
  const bare = await bareBullmq(redis.url, probe);
  console.log(`bare BullMQ producer/worker:       ${seconds(bare.elapsedMs)}  (${Math.round((RUNS / bare.elapsedMs) * 1000)} jobs/s)  ${perRun(bare)}`);
  const whole = await wholePath(redis.url, probe);
  console.log(`whole path (no-op transport):      ${seconds(whole.elapsedMs)}  (${Math.round((RUNS / whole.elapsedMs) * 1000)} runs/s)  ${perRun(whole)}`);
  const ratio = bare.elapsedMs / whole.elapsedMs;
  console.log(`throughput ratio whole/bare: ${ratio.toFixed(2)} (target >= 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
  console.log(`CPU per run, whole/bare: Node ${(whole.nodeCpuUs / bare.nodeCpuUs).toFixed(2)}x, Redis ${(whole.redisCpuUs / bare.redisCpuUs).toFixed(2)}x`);
} finally {
  await probe.quit();
  await redis.stop();
}

function perRun(cost: Cost): string {
  return perRunOf(cost, RUNS);
}
