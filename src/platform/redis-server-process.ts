import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { PrerequisiteMissingError } from '../errors.js';
import { findFreePort } from './free-port.js';

/** A `redis-server` child process on a loopback port: the embedded default and the test suite's private Redis. */
export interface RedisServerProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the server (SIGTERM; SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server at once, as a crash would (for fault tests). */
  kill(): Promise<void>;
}

export interface RedisServerOptions {
  dataDir: string;
  port?: number;
  /** Append-only file on: the embedded default keeps its data across restarts. */
  appendOnly: boolean;
  binary?: string;
  /**
   * Run the server in a process group of its own, so that a Ctrl-C in the terminal (SIGINT to the whole foreground
   * group) reaches only the parent, which then stops the server last, after its own cleanups that still need Redis.
   * The server is then also sent SIGTERM when the parent exits without stopping it (a forced exit). For a parent that
   * handles SIGINT and SIGTERM (`redback serve`).
   */
  ownProcessGroup?: boolean;
}

export const REDIS_PACKAGE_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `apt-get install redis-server`) ' +
  'or set a Redis URL (redis.url in redback.yaml, or REDIS_URL).';

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServerProcess> {
  const port = options.port ?? (await findFreePort());
  await mkdir(options.dataDir, { recursive: true });
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', options.dataDir,
    '--save', '',
    '--appendonly', options.appendOnly ? 'yes' : 'no',
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'warning',
  ];
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup === true });
  if (options.ownProcessGroup === true) {
    // Out of the terminal's process group, nothing else stops it when the parent goes: 'exit' runs on process.exit.
    const stopOnExit = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    process.once('exit', stopOnExit);
    child.once('exit', () => process.off('exit', stopOnExit));
  }
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(undefined));
  });
  if (spawnError !== undefined) {
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw new PrerequisiteMissingError(REDIS_PACKAGE_HINT);
    throw spawnError;
  }
  await waitForPort(port, child, () => output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dataDir: options.dataDir,
    stop: () => stopChild(child, exited),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${output().trim()}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not accept connections on port ${port} within 10 s: ${output().trim()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
