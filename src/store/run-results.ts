import type { Redis } from 'ioredis';
import { storeKeys } from './keys.js';

/**
 * The playbook runner's full result of a host run (every command with its output tail, package changes, reboot,
 * scan), kept for whoever waits on the run: `redback run` prints it. Only runs that ask for it store it (ad-hoc
 * runs), and it expires after a week; a scheduled batch's record is its run record (store/runs.ts).
 */
const RESULT_TTL_SECONDS = 7 * 24 * 3600;

function resultKey(prefix: string, runId: string): string {
  return `${storeKeys(prefix).run(runId)}:result`;
}

/** Replaces the results of a run attempt (one per playbook, in order). */
export async function saveRunResults(redis: Redis, prefix: string, runId: string, results: readonly unknown[]): Promise<void> {
  await redis.set(resultKey(prefix, runId), JSON.stringify(results), 'EX', RESULT_TTL_SECONDS);
}

export async function getRunResults<T = unknown>(redis: Redis, prefix: string, runId: string): Promise<T[] | undefined> {
  const raw = await redis.get(resultKey(prefix, runId));
  return raw === null ? undefined : (JSON.parse(raw) as T[]);
}
