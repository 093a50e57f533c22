import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import type { RunStatus } from '../domain/release-batch.js';
import { AppError } from '../errors.js';
import { storeKeys } from './keys.js';
import { runScript } from './lua.js';

/** Bytes of stdout and of stderr kept per step in a run record; the full stream is in the run log (also capped). */
export const STEP_OUTPUT_CAP_BYTES = 16 * 1024;
/** Lines kept in a run's log list (the newest). */
export const RUN_LOG_MAX_LINES = 5000;

export interface StepRecord {
  name: string;
  /** `ok`, `changed`, `failed`, `skipped`, as the runner reports it. */
  status: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes of output not kept here because of the cap. */
  truncatedBytes: number;
  durationMs: number;
}

export interface RunRecord {
  /** `batchId/hostId`, the same as the BullMQ job id. */
  id: string;
  batchId: string;
  occurrenceId: string;
  windowId: string;
  customerId: string;
  hostId: string;
  playbooks: string[];
  checkMode: boolean;
  status: RunStatus;
  failureClass: FailureClass | null;
  /** Why it failed, was deferred or skipped, in words. */
  reason: string | null;
  /** The occurrence a deferred host moves to, or null when it has no later window. */
  deferredTo: string | null;
  attempts: number;
  workerId: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  steps: StepRecord[];
}

export interface RunLogLine {
  at: string;
  step: string;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

// Writes the record, adds it to the batch/host/customer/time indexes once, and moves it from its previous status
// index to the new one: one round trip per save, because a host run saves its record several times.
const SAVE_RUN = `
local previous = redis.call('HGET', KEYS[1], 'status')
redis.call('HSET', KEYS[1], 'record', ARGV[1], 'status', ARGV[2])
for i = 2, 5 do redis.call('ZADD', KEYS[i], 'NX', ARGV[3], ARGV[4]) end
if previous and previous ~= ARGV[2] then redis.call('ZREM', ARGV[5] .. previous, ARGV[4]) end
redis.call('ZADD', ARGV[5] .. ARGV[2], ARGV[3], ARGV[4])
return 1`;

/** Writes a run record whole and keeps its indexes; the holder of the host lock is its only writer. */
export async function saveRun(redis: Redis, prefix: string, run: RunRecord): Promise<void> {
  const keys = storeKeys(prefix);
  const capped = { ...run, steps: run.steps.map(capStep) };
  await runScript(
    redis,
    SAVE_RUN,
    [keys.run(run.id), keys.runsByTime, keys.runsByBatch(run.batchId), keys.runsByHost(run.hostId), keys.runsByCustomer(run.customerId)],
    [JSON.stringify(capped), run.status, Date.parse(run.queuedAt), run.id, keys.runsByStatus('')],
  );
}

export async function getRun(redis: Redis, prefix: string, id: string): Promise<RunRecord | undefined> {
  const raw = await redis.hget(storeKeys(prefix).run(id), 'record');
  return raw === null ? undefined : (JSON.parse(raw) as RunRecord);
}

export async function requireRun(redis: Redis, prefix: string, id: string): Promise<RunRecord> {
  const run = await getRun(redis, prefix, id);
  if (run === undefined) throw new AppError('not-found', `run ${JSON.stringify(id)} does not exist; run ids are batchId/hostId (see \`redback runs list\`)`);
  return run;
}

export interface RunQuery {
  batchId?: string;
  hostId?: string;
  customerId?: string;
  status?: RunStatus;
  /** Queued at or after / before. */
  from?: Date;
  to?: Date;
  limit?: number;
}

/** Runs newest first. The most selective index (batch, host, customer, status) is read; other filters apply after. */
export async function listRuns(redis: Redis, prefix: string, query: RunQuery = {}): Promise<RunRecord[]> {
  const keys = storeKeys(prefix);
  const index =
    query.batchId !== undefined
      ? keys.runsByBatch(query.batchId)
      : query.hostId !== undefined
        ? keys.runsByHost(query.hostId)
        : query.customerId !== undefined
          ? keys.runsByCustomer(query.customerId)
          : query.status !== undefined
            ? keys.runsByStatus(query.status)
            : keys.runsByTime;
  const max = query.to === undefined ? '+inf' : String(query.to.getTime());
  const min = query.from === undefined ? '-inf' : String(query.from.getTime());
  const limit = query.limit ?? 100;
  // The index is read a page at a time (LIMIT), so a list costs what it returns, not the size of the history: with
  // 100,000 runs the whole index is megabytes per request.
  const pageSize = Math.max(limit, 100);
  const runs: RunRecord[] = [];
  for (let offset = 0; runs.length < limit; offset += pageSize) {
    const page = await redis.zrevrangebyscore(index, max, min, 'LIMIT', offset, pageSize);
    if (page.length === 0) break;
    const raws = await redis.pipeline(page.map((id) => ['hget', keys.run(id), 'record'])).exec();
    for (const [, raw] of raws ?? []) {
      if (typeof raw !== 'string') continue;
      const run = JSON.parse(raw) as RunRecord;
      if (query.hostId !== undefined && run.hostId !== query.hostId) continue;
      if (query.customerId !== undefined && run.customerId !== query.customerId) continue;
      if (query.status !== undefined && run.status !== query.status) continue;
      runs.push(run);
      if (runs.length >= limit) break;
    }
    if (page.length < pageSize) break;
  }
  return runs;
}

export async function appendRunLog(redis: Redis, prefix: string, runId: string, lines: readonly RunLogLine[]): Promise<void> {
  if (lines.length === 0) return;
  const key = storeKeys(prefix).runLog(runId);
  await redis
    .multi()
    .rpush(key, ...lines.map((line) => JSON.stringify(line)))
    .ltrim(key, -RUN_LOG_MAX_LINES, -1)
    .exec();
}

/** Log lines from position `from` (0-based; pass the returned `next` to follow a live run). */
export async function readRunLog(redis: Redis, prefix: string, runId: string, from = 0): Promise<{ lines: RunLogLine[]; next: number }> {
  const raws = await redis.lrange(storeKeys(prefix).runLog(runId), from, -1);
  return { lines: raws.map((raw) => JSON.parse(raw) as RunLogLine), next: from + raws.length };
}

function capStep(step: StepRecord): StepRecord {
  const stdout = capText(step.stdout);
  const stderr = capText(step.stderr);
  return { ...step, stdout: stdout.text, stderr: stderr.text, truncatedBytes: step.truncatedBytes + stdout.dropped + stderr.dropped };
}

/** Keeps the last bytes of the text (the end of an apt run says what went wrong). */
function capText(text: string): { text: string; dropped: number } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= STEP_OUTPUT_CAP_BYTES) return { text, dropped: 0 };
  const buffer = Buffer.from(text);
  return { text: buffer.subarray(bytes - STEP_OUTPUT_CAP_BYTES).toString('utf8'), dropped: bytes - STEP_OUTPUT_CAP_BYTES };
}
