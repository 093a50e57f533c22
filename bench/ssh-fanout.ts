/**
 * `npm run bench:ssh` (as root: it starts a private sshd): a 100-host fan-out against the test sshd. Each "host" is
 * one SSH connection that runs `uname -r`, `sleep 2`, `echo healthy` in turn, at most 50 hosts at a time. The
 * ssh transport (host-key check, wrapper for kill-on-timeout, line streaming, output cap) is timed against a
 * bare ssh2 loop doing the same in the same run; rounds alternate so both see the same machine load.
 * Prints times and the ratio; not a test, figures depend on the machine.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Client } from 'ssh2';
import { SshTransport, sha256Fingerprint } from '../src/execution/ssh/index.js';
import { startTestSshd, type TestSshd } from '../test/support/sshd.js';

const HOSTS = Number(process.env['BENCH_HOSTS'] ?? 100);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const COMMANDS = ['uname -r', 'sleep 2', 'echo healthy'];

async function pool<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  });
  await Promise.all(lanes);
  return results;
}

async function viaTransport(sshd: TestSshd, key: Buffer, index: number): Promise<string> {
  const transport = new SshTransport({
    hostId: `host-${index}`,
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: key,
    hostKey: { fingerprint: sshd.hostKeyFingerprint },
  });
  try {
    let last = '';
    for (const command of COMMANDS) {
      const result = await transport.exec(command, { timeoutMs: 60_000, onLine: () => undefined });
      if (result.exitCode !== 0) throw new Error(`host-${index}: ${command} exited ${result.exitCode}`);
      last = result.stdout;
    }
    return last.trim();
  } finally {
    await transport.close();
  }
}

/** The least a caller can do with ssh2: connect (checking the same pin), exec each command, collect stdout. */
async function viaBareSsh2(sshd: TestSshd, key: Buffer): Promise<string> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: key,
      hostVerifier: (blob: Buffer) => sha256Fingerprint(blob) === sshd.hostKeyFingerprint,
    });
  });
  try {
    let last = '';
    for (const command of COMMANDS) {
      last = await new Promise<string>((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) return reject(error);
          let out = '';
          let code: number | undefined;
          channel.on('exit', (c: number | null) => (code = c ?? 255));
          channel.on('data', (d: Buffer) => (out += d.toString()));
          channel.stderr.resume();
          channel.on('close', () => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}`))));
        });
      });
    }
    return last.trim();
  } finally {
    client.end();
  }
}

async function timeRound(label: string, run: () => Promise<string[]>): Promise<number> {
  const started = performance.now();
  const outputs = await run();
  const ms = performance.now() - started;
  const healthy = outputs.filter((o) => o === 'healthy').length;
  if (healthy !== HOSTS) throw new Error(`${label}: only ${healthy} of ${HOSTS} hosts answered healthy`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const sshd = await startTestSshd();
try {
  const key = readFileSync(sshd.keyPath);
  // Warm-up: JIT, sshd's first forks, the key parse.
  await pool(10, 10, (i) => viaTransport(sshd, key, i));
  await pool(10, 10, () => viaBareSsh2(sshd, key));

  const bare: number[] = [];
  const transport: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    bare.push(await timeRound('bare ssh2', () => pool(HOSTS, CONCURRENCY, () => viaBareSsh2(sshd, key))));
    transport.push(await timeRound('ssh transport', () => pool(HOSTS, CONCURRENCY, (i) => viaTransport(sshd, key, i))));
    console.log(`round ${round}: bare ssh2 ${bare.at(-1)?.toFixed(0)} ms, ssh transport ${transport.at(-1)?.toFixed(0)} ms`);
  }
  const b = median(bare);
  const t = median(transport);
  console.log('');
  console.log(`ssh fan-out: ${HOSTS} hosts x [${COMMANDS.join(', ')}], concurrency ${CONCURRENCY}, ${ROUNDS} rounds (median)`);
  console.log(`machine: ${availableParallelism()} cores, node ${process.version}`);
  console.log(`bare ssh2 loop:  ${b.toFixed(0)} ms`);
  console.log(`ssh transport:   ${t.toFixed(0)} ms`);
  console.log(`ratio transport/bare: ${(t / b).toFixed(3)} (overhead ${(((t - b) / b) * 100).toFixed(1)}%; target < 10%)`);
} finally {
  await sshd.dispose();
}
