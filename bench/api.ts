/**
 * `npm run bench:api`: 200 concurrent clients list runs and incidents (alternating `GET /runs?limit=50` and
 * `GET /incidents?limit=50`) for 60 seconds against a store holding 100,000 run records and 2,000 incidents, over
 * real HTTP with a real bearer token, the API in a child process of its own and a private redis-server (never the
 * machine's 6379). Baseline in the same run: the same clients against `GET /healthz` (the framework and the
 * network, no store). Prints errors and p50/p99/max latency per endpoint; not a test, figures depend on the machine.
 *
 *   BENCH_SECONDS=60 BENCH_CLIENTS=200 BENCH_RUNS=100000 npm run bench:api
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { addOperationsRoutes, addRecordRoutes, buildApiServer, tokenAuthenticator } from '../src/interfaces/api/index.js';
import { silentLogger } from '../src/platform/logger.js';
import { startRedisServer } from '../src/platform/redis-server-process.js';
import { createToken, IncidentRepository, listRuns, saveUser, storeKeys, type IncidentRecord, type RunRecord } from '../src/store/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const INCIDENTS = 2_000;
const BASELINE_SECONDS = Math.min(10, SECONDS);
const PREFIX = 'bench-api';

/** The API role in its own process, so the load generator does not share its event loop. */
async function serve(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const app = await buildApiServer({
    logger: silentLogger(),
    authenticate: tokenAuthenticator(redis, PREFIX),
    routes: [(t) => addOperationsRoutes(t, { redis, countWorkers: async () => 0 }), (t) => addRecordRoutes(t, { redis, prefix: PREFIX })],
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  process.send?.({ url });
}

/** 100,000 runs written straight into the store's keys with pipelines (saveRun's layout, without one script call each). */
async function seedRuns(redis: Redis): Promise<void> {
  const keys = storeKeys(PREFIX);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const CHUNK = 5_000;
  for (let offset = 0; offset < RUNS; offset += CHUNK) {
    const pipeline = redis.pipeline();
    for (let i = offset; i < Math.min(RUNS, offset + CHUNK); i++) {
      const batchId = `w${i % 50}@2026${String((Math.floor(i / 1000) % 12) + 1).padStart(2, '0')}01T020000Z`;
      const hostId = `host-${i % 2000}`;
      const customerId = `c${i % 20}`;
      const status = i % 17 === 0 ? 'failed' : 'succeeded';
      const queuedAt = new Date(start + i * 60_000).toISOString();
      const run: RunRecord = {
        id: `${batchId}/${hostId}-${i}`, batchId, occurrenceId: batchId, windowId: `w${i % 50}`, customerId, hostId, playbooks: ['security-patch'], checkMode: false,
        status, failureClass: status === 'failed' ? 'step-failed' : null, reason: status === 'failed' ? 'apt-get exited 100' : null, deferredTo: null, attempts: 1, workerId: 'bench',
        queuedAt, startedAt: queuedAt, finishedAt: queuedAt, durationMs: 42_000,
        steps: [{ name: 'upgrade', status: status === 'failed' ? 'failed' : 'ok', exitCode: status === 'failed' ? 100 : 0, stdout: 'Reading package lists...\n3 upgraded, 0 newly installed\n', stderr: '', truncatedBytes: 0, durationMs: 40_000 }],
      };
      const score = Date.parse(queuedAt);
      pipeline.hset(keys.run(run.id), 'record', JSON.stringify(run), 'status', status);
      pipeline.zadd(keys.runsByTime, score, run.id);
      pipeline.zadd(keys.runsByBatch(batchId), score, run.id);
      pipeline.zadd(keys.runsByHost(hostId), score, run.id);
      pipeline.zadd(keys.runsByCustomer(customerId), score, run.id);
      pipeline.zadd(keys.runsByStatus(status), score, run.id);
    }
    await pipeline.exec();
  }
}

async function seedIncidents(redis: Redis): Promise<void> {
  const incidents = new IncidentRepository(redis, PREFIX);
  for (let i = 0; i < INCIDENTS; i++) {
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
    const clock = { targetMs: 8 * 3_600_000, startedAt: at, pausedMs: 0 };
    const draft: Omit<IncidentRecord, 'id'> = {
      customerId: `c${i % 20}`, status: i % 3 === 0 ? 'resolved' : 'new', openedAt: at, updatedAt: at, dedupeKey: null, title: `step-failed on host-${i % 2000}`, source: 'run', category: 'step-failed',
      impact: 'low', urgency: 'medium', priority: 4, assignee: null, hosts: [`host-${i % 2000}`], sla: { response: clock, resolution: clock, responseDueAt: at, resolutionDueAt: at, emitted: [] },
      run: null, alert: null, waitingUntil: null, problemIds: [], resolvedAt: null, closedAt: null, resolution: null,
    };
    await incidents.create(draft, { at, actor: 'bench', action: 'incident.opened' });
  }
}

interface Sample {
  path: string;
  ms: number;
  ok: boolean;
}

/**
 * Where the time goes, one request at a time: the store's own `listRuns` (which reads the whole index, then the
 * first 50 records) against the same answer read with a bounded index query (`ZREVRANGEBYSCORE … LIMIT 0 50`).
 */
async function diagnose(redis: Redis): Promise<void> {
  const keys = storeKeys(PREFIX);
  const time = async (label: string, fn: () => Promise<unknown>) => {
    await fn();
    const started = performance.now();
    for (let i = 0; i < 20; i++) await fn();
    console.log(`  ${label.padEnd(64)} ${((performance.now() - started) / 20).toFixed(2).padStart(8)} ms`);
  };
  console.log('\none request at a time (mean of 20):');
  await time('store listRuns({ limit: 50 }) (paged index read)', () => listRuns(redis, PREFIX, { limit: 50 }));
  await time('bounded: ZREVRANGEBYSCORE LIMIT 0 50 + one HGET pipeline', async () => {
    const ids = await redis.zrevrangebyscore(keys.runsByTime, '+inf', '-inf', 'LIMIT', 0, 50);
    return await redis.pipeline(ids.map((id) => ['hget', keys.run(id), 'record'])).exec();
  });
  await time('IncidentRepository.list({ limit: 50 }) (paged index, one pipeline)', () => new IncidentRepository(redis, PREFIX).list({ limit: 50 }));
}

async function load(url: string, token: string | undefined, paths: string[], seconds: number): Promise<{ samples: Sample[]; errors: Map<string, number> }> {
  const samples: Sample[] = [];
  const errors = new Map<string, number>();
  const until = performance.now() + seconds * 1000;
  const client = async (n: number) => {
    for (let i = n; performance.now() < until; i++) {
      const path = paths[i % paths.length]!;
      const started = performance.now();
      let ok = false;
      try {
        const response = await fetch(`${url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
        await response.arrayBuffer();
        ok = response.ok;
        if (!ok) errors.set(`HTTP ${response.status}`, (errors.get(`HTTP ${response.status}`) ?? 0) + 1);
      } catch (error) {
        const key = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      samples.push({ path, ms: performance.now() - started, ok });
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  return { samples, errors };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function report(title: string, seconds: number, result: Awaited<ReturnType<typeof load>>): void {
  console.log(`\n${title}`);
  console.log('  endpoint                     requests   req/s   errors    p50 ms    p99 ms    max ms');
  const paths = [...new Set(result.samples.map((s) => s.path))];
  for (const path of [...paths, 'all']) {
    const of = path === 'all' ? result.samples : result.samples.filter((s) => s.path === path);
    const ms = of.map((s) => s.ms).sort((a, b) => a - b);
    const errors = of.filter((s) => !s.ok).length;
    console.log(`  ${path.padEnd(26)} ${String(of.length).padStart(10)} ${(of.length / seconds).toFixed(0).padStart(7)} ${String(errors).padStart(8)} ${percentile(ms, 50).toFixed(1).padStart(9)} ${percentile(ms, 99).toFixed(1).padStart(9)} ${(ms.at(-1) ?? NaN).toFixed(1).padStart(9)}`);
  }
  for (const [message, count] of result.errors) console.log(`  error x${count}: ${message}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') return await serve(process.argv[3]!);
  const dataDir = await mkdtemp(join(tmpdir(), 'redback-bench-api-'));
  const server = await startRedisServer({ dataDir, appendOnly: false });
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const child = fork(fileURLToPath(import.meta.url), ['--serve', server.url], { stdio: 'inherit' });
  try {
    console.log(`bench:api on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}: ${CLIENTS} clients, ${SECONDS} s, ${RUNS.toLocaleString('en')} runs, ${INCIDENTS} incidents`);
    let started = performance.now();
    await seedRuns(redis);
    console.log(`seeded ${RUNS.toLocaleString('en')} runs with pipelines in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    await seedIncidents(redis);
    console.log(`seeded ${INCIDENTS} incidents in ${((performance.now() - started) / 1000).toFixed(1)} s; redis used_memory ${/used_memory_human:(\S+)/.exec(await redis.info('memory'))?.[1]}`);
    const now = new Date();
    await saveUser(redis, PREFIX, { name: 'bench', roles: ['viewer'], customers: ['*'], createdAt: now.toISOString(), createdBy: 'bench' });
    const { token } = await createToken(redis, PREFIX, { user: 'bench', label: 'bench', createdBy: 'bench', now });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { url: string }) => resolve(message.url));
      child.once('exit', (code) => reject(new Error(`the API process exited with ${code}`)));
    });

    await diagnose(redis);
    // One request first: the token is verified (scrypt, by design slow) once and then cached, as for a console
    // user. Without it the 200 first requests would all miss the cache together and each pay scrypt.
    await fetch(`${url}/runs?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    report(`baseline: GET /healthz (no token), ${CLIENTS} clients, ${BASELINE_SECONDS} s`, BASELINE_SECONDS, await load(url, undefined, ['/healthz'], BASELINE_SECONDS));
    report(`runs and incidents: ${CLIENTS} clients, ${SECONDS} s`, SECONDS, await load(url, token, ['/runs?limit=50', '/incidents?limit=50'], SECONDS));
  } finally {
    child.kill('SIGTERM');
    await redis.quit();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
