import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/redback.js', import.meta.url));

/** A `node bin/redback.js …` child process with its output kept for failure messages. */
export interface RedbackProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM and wait (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash would, and wait for the exit. */
  kill(): Promise<void>;
}

export function spawnRedback(args: readonly string[], env: NodeJS.ProcessEnv = {}): RedbackProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, REDBACK_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => output,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
