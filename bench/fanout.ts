/**
 * `npm run bench:fanout` (as root: it starts a private sshd): 100 hosts, each an SSH login to the test sshd on
 * loopback, run a 3-step playbook (`uname -r`, `sleep 2`, `echo healthy`) at concurrency 50 through the whole
 * path: a planned batch, the dispatcher, BullMQ, the worker with host locks, the playbook runner over the ssh
 * transport, run records, events and audit. Beside it in the same run: a bare ssh2 loop doing the same (the
 * floor), and ansible-playbook (forks 50, pipelining) and parallel-ssh when they are installed.
 * Prints each time and the ratios; target: the whole path within 1.25x of the bare ssh2 floor.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ssh2';
import { isFinalBatchStatus } from '../src/domain/index.js';
import { sha256Fingerprint } from '../src/execution/ssh/index.js';
import { createRunnerExecutor, dispatchBatch, startScheduler, startWorkerRole, type OrchestrationContext } from '../src/releases/index.js';
import { batchCounts, getBatch, listRuns } from '../src/store/index.js';
import { startTestSshd, type TestSshd } from '../test/support/sshd.js';
import { benchContext, machineLine, planOpenBatch, privateRedis, seconds, writeBenchConfig } from './support.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const COMMANDS = ['uname -r', 'sleep 2', 'echo healthy'];
const run = promisify(execFile);

async function pool(count: number, concurrency: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

async function bareSsh2(sshd: TestSshd, key: Buffer): Promise<void> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: key, hostVerifier: (blob: Buffer) => sha256Fingerprint(blob) === sshd.hostKeyFingerprint });
  });
  try {
    for (const command of COMMANDS) {
      await new Promise<void>((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          let code: number | undefined;
          channel.on('exit', (c: number | null) => (code = c ?? 255));
          channel.on('data', () => undefined);
          channel.stderr.resume();
          channel.on('close', () => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
        });
      });
    }
  } finally {
    client.end();
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

let breakdown = '';

/** Where the whole path's time goes: from planning to the first start, run durations, last finish. */
async function describeRuns(context: OrchestrationContext, batchId: string): Promise<string> {
  const batch = await getBatch(context.redis, context.prefix, batchId);
  const runs = await listRuns(context.redis, context.prefix, { batchId, limit: HOSTS });
  const planned = Date.parse(batch?.plannedAt ?? '');
  const starts = runs.map((r) => Date.parse(r.startedAt ?? '')).sort((a, b) => a - b);
  const durations = runs.map((r) => r.durationMs ?? 0).sort((a, b) => a - b);
  const ends = runs.map((r) => Date.parse(r.finishedAt ?? '')).sort((a, b) => a - b);
  return `first run started ${seconds((starts[0] ?? 0) - planned)} after planning, 50th at ${seconds((starts[CONCURRENCY - 1] ?? 0) - planned)}; run duration median ${seconds(durations[Math.floor(durations.length / 2)] ?? 0)}, max ${seconds(durations.at(-1) ?? 0)}; last run finished ${seconds((ends.at(-1) ?? 0) - planned)} after planning`;
}

async function wholePath(redisUrl: string, sshd: TestSshd, prefix: string): Promise<number> {
  const configDir = await writeBenchConfig({
    hosts: HOSTS,
    prefix,
    hostYaml: () => `address: ${sshd.host}, port: ${sshd.port}, transport: ssh, credentials: { user: ${sshd.user}, private_key: "file:${sshd.keyPath}" }, ssh: { host_key: "${sshd.hostKeyFingerprint}" }`,
    stepsYaml: COMMANDS.map((c, i) => `  - { name: step-${i + 1}, run: "${c}" }`).join('\n'),
    rolloutYaml: `{ max_concurrency: ${CONCURRENCY} }`,
  });
  const context = await benchContext(redisUrl, configDir);
  const worker = startWorkerRole(context, { executor: createRunnerExecutor(context.config, context.logger), concurrency: CONCURRENCY });
  const scheduler = startScheduler(context, { dispatchIntervalMs: 1000 });
  try {
    return await timed(async () => {
      const batchId = await planOpenBatch(context);
      await dispatchBatch(context, batchId); // as the scheduler does for a batch it plans inside an open window
      for (;;) {
        const batch = await getBatch(context.redis, context.prefix, batchId);
        if (batch !== undefined && isFinalBatchStatus(batch.status)) {
          const counts = await batchCounts(context.redis, context.prefix, batch);
          if (counts.succeeded !== HOSTS) throw new Error(`whole path: ${JSON.stringify(counts)} (batch ${batch.status}); see \`redback runs list --batch ${batchId}\``);
          breakdown = await describeRuns(context, batchId);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
  } finally {
    await scheduler.stop();
    await worker.stop();
    await context.close();
  }
}

async function which(binary: string): Promise<boolean> {
  return await run('sh', ['-c', `command -v ${binary}`]).then(() => true, () => false);
}

async function ansible(sshd: TestSshd): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-bench-ansible-'));
  const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i} ansible_host=${sshd.host} ansible_port=${sshd.port}`).join('\n');
  await writeFile(join(dir, 'inventory.ini'), `[fleet]\n${hosts}\n[fleet:vars]\nansible_user=${sshd.user}\nansible_ssh_private_key_file=${sshd.keyPath}\nansible_ssh_common_args=-o UserKnownHostsFile=${sshd.knownHostsPath} -o HostKeyAlias=[127.0.0.1]:${sshd.port}\n`);
  await writeFile(join(dir, 'play.yml'), `- hosts: fleet\n  gather_facts: false\n  tasks:\n${COMMANDS.map((c) => `    - command: ${c}\n`).join('')}`);
  await writeFile(join(dir, 'ansible.cfg'), '[defaults]\nforks = 50\nhost_key_checking = True\n[ssh_connection]\npipelining = True\n');
  return await timed(async () => {
    await run('ansible-playbook', ['-i', 'inventory.ini', 'play.yml'], { cwd: dir, env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg') }, maxBuffer: 64 * 1024 * 1024 });
  });
}

async function parallelSsh(sshd: TestSshd, binary: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-bench-pssh-'));
  await writeFile(join(dir, 'hosts'), Array.from({ length: HOSTS }, () => `${sshd.user}@${sshd.host}:${sshd.port}`).join('\n'));
  return await timed(async () => {
    await run(binary, ['-h', join(dir, 'hosts'), '-p', String(CONCURRENCY), '-t', '0', '-x', `-i ${sshd.keyPath} -o UserKnownHostsFile=${sshd.knownHostsPath} -o HostKeyAlias=[127.0.0.1]:${sshd.port} -o BatchMode=yes`, COMMANDS.join(' && ')], { maxBuffer: 64 * 1024 * 1024 });
  });
}

const sshd = await startTestSshd();
const redis = await privateRedis();
try {
  const key = readFileSync(sshd.keyPath);
  await pool(10, 10, () => bareSsh2(sshd, key)); // warm-up: JIT, sshd's first forks
  const bare = await timed(() => pool(HOSTS, CONCURRENCY, () => bareSsh2(sshd, key)));
  const whole = await wholePath(redis.url, sshd, 'fanout');
  const bareAgain = await timed(() => pool(HOSTS, CONCURRENCY, () => bareSsh2(sshd, key)));
  const floor = Math.min(bare, bareAgain);
  console.log(`ssh fan-out: ${HOSTS} hosts x [${COMMANDS.join(', ')}], concurrency ${CONCURRENCY}`);
  console.log(machineLine());
  console.log(`bare ssh2 loop:                  ${seconds(floor)}  (before ${seconds(bare)}, after ${seconds(bareAgain)})`);
  console.log(`redback whole path:              ${seconds(whole)}  ratio ${(whole / floor).toFixed(2)}x (target <= 1.25x: ${whole / floor <= 1.25 ? 'met' : 'NOT met'})`);
  console.log(`  ${breakdown}`);
  if (await which('ansible-playbook')) {
    const ms = await ansible(sshd);
    console.log(`ansible-playbook (forks 50):     ${seconds(ms)}  ratio ${(ms / floor).toFixed(2)}x`);
  } else console.log('ansible-playbook:                not installed (apt-get install ansible-core)');
  const pssh = (await which('parallel-ssh')) ? 'parallel-ssh' : (await which('pssh')) ? 'pssh' : undefined;
  if (pssh !== undefined) {
    const ms = await parallelSsh(sshd, pssh);
    console.log(`${pssh} (-p ${CONCURRENCY}):`.padEnd(33) + `${seconds(ms)}  ratio ${(ms / floor).toFixed(2)}x`);
  } else console.log('parallel-ssh:                    not installed (apt-get install pssh)');
} finally {
  await redis.stop();
  await sshd.dispose();
}
