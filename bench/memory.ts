/**
 * `npm run bench:memory` (as root: it starts a private sshd): the resident memory of one worker process holding
 * 500 SSH sessions at once. 500 inventory hosts (logins to the test sshd on loopback) run a playbook whose one
 * step sleeps, at worker concurrency 500, through the whole path; RSS is sampled while the sessions are open and
 * compared with the same process before the batch.
 */
import { isFinalBatchStatus } from '../src/domain/index.js';
import { createRunnerExecutor, startScheduler, startWorkerRole } from '../src/releases/index.js';
import { batchCounts, getBatch } from '../src/store/index.js';
import { startTestSshd } from '../test/support/sshd.js';
import { benchContext, machineLine, planOpenBatch, privateRedis, seconds, writeBenchConfig } from './support.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 500);
const HOLD_SECONDS = Number(process.env.BENCH_HOLD_SECONDS ?? 20);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const sshd = await startTestSshd();
const redis = await privateRedis();
try {
  const configDir = await writeBenchConfig({
    hosts: SESSIONS,
    prefix: 'memory',
    hostYaml: () => `address: ${sshd.host}, port: ${sshd.port}, transport: ssh, credentials: { user: ${sshd.user}, private_key: "file:${sshd.keyPath}" }, ssh: { host_key: "${sshd.hostKeyFingerprint}" }`,
    stepsYaml: `  - { name: hold the session, run: "sleep ${HOLD_SECONDS}", timeout: 5m }`,
    rolloutYaml: `{ max_concurrency: ${SESSIONS} }`,
  });
  const context = await benchContext(redis.url, configDir);
  const worker = startWorkerRole(context, { executor: createRunnerExecutor(context.config, context.logger), concurrency: SESSIONS });
  const scheduler = startScheduler(context, { dispatchIntervalMs: 1000 });
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  const started = Date.now();
  const batchId = await planOpenBatch(context);
  let peak = baseline;
  let peakRunning = 0;
  let rssAtFull: number | undefined;
  for (;;) {
    const batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch === undefined) throw new Error('batch vanished');
    const counts = await batchCounts(context.redis, context.prefix, batch);
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    peakRunning = Math.max(peakRunning, counts.inFlight);
    if (counts.inFlight >= SESSIONS * 0.95 && rssAtFull === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 2000)); // let every session settle into its sleep
      rssAtFull = process.memoryUsage().rss;
    }
    if (isFinalBatchStatus(batch.status)) {
      console.log(`memory: one worker process, ${SESSIONS} hosts, step "sleep ${HOLD_SECONDS}" over ssh, concurrency ${SESSIONS}`);
      console.log(machineLine());
      console.log(`batch ${batch.status}: ${counts.succeeded} succeeded, ${counts.failed} failed in ${seconds(Date.now() - started)}; at most ${peakRunning} runs in flight`);
      console.log(`RSS before the batch:            ${mib(baseline)}`);
      console.log(`RSS with ~${SESSIONS} sessions open:     ${rssAtFull === undefined ? 'never reached 95% in flight' : mib(rssAtFull)}`);
      console.log(`peak RSS:                        ${mib(peak)}  (${((peak - baseline) / SESSIONS / 1024).toFixed(0)} KiB per session above the baseline)`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await scheduler.stop();
  await worker.stop();
  await context.close();
} finally {
  await redis.stop();
  await sshd.dispose();
}
