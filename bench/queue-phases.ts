/**
 * Where the queue-overhead benchmark's time goes, phase by phase (`npm run bench:queue-phases`): the same N host
 * runs as `bench:queue`, but handed out with no worker running, and then worked off with every job already queued,
 * each against its bare BullMQ counterpart in the same run (`addBulk` of N jobs with the same job options; a bare
 * worker over N jobs added beforehand). Prints wall time and Node and Redis CPU per run for each, and the ratios.
 * Not a target of its own: it says which phase the whole path's cost is in.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { isFinalBatchStatus } from '../src/domain/index.js';
import { createHostRunQueue, enqueueHostRuns, HOST_RUN_QUEUE } from '../src/queue/index.js';
import { createRunnerExecutor, dispatchBatch, startWorkerRole } from '../src/releases/index.js';
import { getBatch } from '../src/store/index.js';
import { startClocks, noopTransport, perRun, type Cost } from './queue-costs.js';
import { benchContext, machineLine, planOpenBatch, privateRedis, writeBenchConfig } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);

async function bareAdd(url: string, probe: Redis): Promise<{ add: Cost; work: Cost }> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  // The product's own queue and enqueue (same job options and chunking as the dispatcher), under a prefix of its own.
  const queue = createHostRunQueue(connection, 'bare-phases');
  const runs = Array.from({ length: RUNS }, (_, i) => ({ batchId: 'bench@20300101T030000Z', hostId: `h-${String(i).padStart(5, '0')}` }));
  let clocks = await startClocks(probe);
  await enqueueHostRuns(queue, runs);
  const add = await clocks.stop();
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  clocks = await startClocks(probe);
  const worker = new Worker(HOST_RUN_QUEUE, async () => undefined, { connection, prefix: 'bare-phases', concurrency: CONCURRENCY });
  worker.on('completed', () => {
    done += 1;
    if (done === RUNS) finish();
  });
  await finished;
  const work = await clocks.stop();
  await worker.close();
  await queue.close();
  await connection.quit();
  return { add, work };
}

async function wholePhases(url: string, probe: Redis): Promise<{ handOut: Cost; work: Cost }> {
  const configDir = await writeBenchConfig({ hosts: RUNS, prefix: 'phases', hostYaml: () => 'address: localhost, transport: local', stepsYaml: '  - { name: noop, run: "true" }', rolloutYaml: '{ max_concurrency: "100%" }' });
  const context = await benchContext(url, configDir);
  let clocks = await startClocks(probe);
  const batchId = await planOpenBatch(context);
  await dispatchBatch(context, batchId); // every host queued, no worker yet
  const handOut = await clocks.stop();
  clocks = await startClocks(probe);
  const worker = startWorkerRole(context, { executor: createRunnerExecutor(context.config, context.logger, { transportFor: (host) => noopTransport(host.id) }), concurrency: CONCURRENCY });
  for (;;) {
    const batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch !== undefined && isFinalBatchStatus(batch.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const work = await clocks.stop();
  await worker.stop();
  await context.close();
  return { handOut, work };
}

const redis = await privateRedis();
const probe = new Redis(redis.url);
try {
  console.log(`queue phases: ${RUNS} host runs, concurrency ${CONCURRENCY}`);
  console.log(machineLine());
  const bare = await bareAdd(redis.url, probe);
  const whole = await wholePhases(redis.url, probe);
  const line = (label: string, cost: Cost) => console.log(`${label.padEnd(44)} ${(cost.elapsedMs / 1000).toFixed(2).padStart(6)} s  ${perRun(cost, RUNS)}`);
  line('hand-out, bare addBulk (same job options):', bare.add);
  line('hand-out, whole (plan, approval gate, queue):', whole.handOut);
  line('work-off, bare worker:', bare.work);
  line('work-off, whole (worker, records, audit):', whole.work);
  const ratio = (a: Cost, b: Cost) => `time ${(b.elapsedMs / a.elapsedMs).toFixed(2)}x, Node CPU ${(b.nodeCpuUs / a.nodeCpuUs).toFixed(2)}x, Redis CPU ${(b.redisCpuUs / a.redisCpuUs).toFixed(2)}x`;
  console.log(`hand-out whole/bare: ${ratio(bare.add, whole.handOut)}`);
  console.log(`work-off whole/bare: ${ratio(bare.work, whole.work)}`);
} finally {
  await probe.quit();
  await redis.stop();
}
