import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { portAccepts } from '../../support/port-accepts.js';
import { runCli } from '../../support/run-cli.js';

/**
 * Starts `redback serve` with the example configuration, an embedded Redis in a fresh data directory and an API on a
 * free port; resolves once it logs that it is ready. `ownGroup` makes it a process group leader, as a shell makes a
 * foreground command, so that a signal can go to the whole group as a terminal's Ctrl-C does.
 */
async function startServe(options: { ownGroup?: boolean } = {}) {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'redback-serve-')), 'redis');
  const env: NodeJS.ProcessEnv = { ...process.env, REDBACK_LOG_LEVEL: 'info' };
  delete env.REDIS_URL;
  const heartbeat = join(dataDir, '..', 'heartbeat.json');
  const child = spawn(process.execPath, [resolve('bin/redback.js'), 'serve', '--data-dir', dataDir, '--heartbeat', heartbeat, '--listen', '127.0.0.1:0'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownGroup === true });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((resolveReady, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const record = JSON.parse(line) as Record<string, unknown>;
        lines.push(record);
        if (record.msg === 'ready; press Ctrl-C to stop') resolveReady();
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early with ${code}: ${stderr}`)));
  });
  const embedded = lines.find((l) => l.msg?.toString().startsWith('started embedded redis-server'));
  return { child, lines, exited, dataDir, heartbeat, embedded, redisPort: Number(new URL(String(embedded?.url)).port), stderr: () => stderr };
}

describe('redback serve with the example configuration (the real executable)', () => {
  it('starts its own redis-server, logs the loaded config, and stops cleanly on SIGINT', async () => {
    const { child, lines, exited, dataDir, heartbeat, embedded, redisPort: port } = await startServe();

    const loaded = lines.find((l) => l.msg === 'configuration loaded');
    expect(loaded).toMatchObject({ customers: 3, hosts: 14, playbooks: 17 });
    expect(embedded?.dataDir).toBe(dataDir);
    expect(await portAccepts(port)).toBe(true);
    // The API and console are part of serve.
    const api = lines.find((l) => l.msg === 'console and API ready');
    expect(await (await fetch(`${String(api?.url)}/healthz`)).json()).toEqual({ status: 'ok' });
    const readiness = (await (await fetch(`${String(api?.url)}/readyz`)).json()) as { status: string; workers: number };
    expect(readiness).toMatchObject({ status: 'ready', redis: 'ok' });
    expect(readiness.workers).toBeGreaterThanOrEqual(1);

    // The container's HEALTHCHECK: healthy while serve runs...
    const healthy = await runCli(['health', '--heartbeat', heartbeat]);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/^healthy: serve pid \d+/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(lines.at(-1)?.msg).toBe('stopped cleanly');
    // The embedded Redis went with it, and kept its append-only data where it was told to.
    expect(await portAccepts(port)).toBe(false);
    expect(existsSync(dataDir)).toBe(true);
    expect((await readdir(dataDir)).some((name) => name.startsWith('appendonly'))).toBe(true);
    // ...and unhealthy once it has stopped.
    const gone = await runCli(['health', '--heartbeat', heartbeat]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/^unhealthy: process \d+ is gone/);
  });

  // Whether the embedded Redis would die first is a race here; test/integration/platform/redis-server-process.test.ts
  // checks without one that a Ctrl-C to the group does not reach it.
  it('stops cleanly, with no warning, when Ctrl-C signals its whole process group', async () => {
    const { child, lines, exited, redisPort, stderr } = await startServe({ ownGroup: true });
    expect(await portAccepts(redisPort)).toBe(true);
    process.kill(-child.pid!, 'SIGINT'); // the terminal's Ctrl-C: every process of the foreground group
    expect(await exited).toBe(0);
    expect(lines.at(-1)?.msg).toBe('stopped cleanly');
    expect(lines.filter((l) => l.level === 40 || l.level === 50).map((l) => l.msg), 'no warning or error while stopping').toEqual([]);
    expect(stderr()).not.toContain('ECONNREFUSED');
    expect(await portAccepts(redisPort)).toBe(false);
  });
});
