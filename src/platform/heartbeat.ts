import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A small status file that a long-running role rewrites every few seconds. `redback health` (the container's
 * HEALTHCHECK) reads it: a stale file or a dead pid means the process is stuck or gone, with no port to probe.
 */
export interface Heartbeat {
  pid: number;
  role: string;
  startedAt: string;
  beatAt: string;
}

export function startHeartbeat(path: string, role: string, intervalMs = 10_000): { stop(): Promise<void> } {
  const startedAt = new Date().toISOString();
  const beat = async (): Promise<void> => {
    const body: Heartbeat = { pid: process.pid, role, startedAt, beatAt: new Date().toISOString() };
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    await writeFile(`${path}.tmp`, JSON.stringify(body));
    await rename(`${path}.tmp`, path);
  };
  let pending = beat().catch(() => undefined);
  const timer = setInterval(() => {
    pending = beat().catch(() => undefined);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
    },
  };
}

export type HeartbeatVerdict = { healthy: true; heartbeat: Heartbeat } | { healthy: false; reason: string };

export async function checkHeartbeat(path: string, maxAgeMs: number, now = new Date()): Promise<HeartbeatVerdict> {
  let heartbeat: Heartbeat;
  try {
    heartbeat = JSON.parse(await readFile(path, 'utf8')) as Heartbeat;
  } catch {
    return { healthy: false, reason: `no heartbeat file at ${path}: is redback serve running with this --data-dir?` };
  }
  const ageMs = now.getTime() - new Date(heartbeat.beatAt).getTime();
  if (ageMs > maxAgeMs) return { healthy: false, reason: `last heartbeat ${Math.round(ageMs / 1000)} s ago (pid ${heartbeat.pid}): the process is stuck or gone` };
  try {
    process.kill(heartbeat.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return { healthy: false, reason: `process ${heartbeat.pid} is gone` };
  }
  return { healthy: true, heartbeat };
}
