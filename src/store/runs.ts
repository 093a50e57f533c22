import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import type { HostState, RunStatus } from '../domain/release-batch.js';
import { AppError } from '../errors.js';
import { storeKeys } from './keys.js';
import { getBatchWith, hostTransitionKeys, HOST_TRANSITION_LUA, type BatchPlan, type BatchRecord } from './batches.js';
import { EVENTS_MAX_LENGTH, type OrchestrationEvent } from './events.js';
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
// index to the new one. A Lua function, shared by the one-save script and the run-phase scripts below.
// Arguments: the run's hash key, the time/batch/host/customer index keys, the record JSON, its status, the score
// (queued time in ms), the run id, and the status index key without the status.
const SAVE_RUN_LUA = `
local function save_run(run_key, by_time, by_batch, by_host, by_customer, record, status, score, member, status_prefix)
  local previous = redis.call('HGET', run_key, 'status')
  redis.call('HSET', run_key, 'record', record, 'status', status)
  redis.call('ZADD', by_time, 'NX', score, member)
  redis.call('ZADD', by_batch, 'NX', score, member)
  redis.call('ZADD', by_host, 'NX', score, member)
  redis.call('ZADD', by_customer, 'NX', score, member)
  if previous and previous ~= status then redis.call('ZREM', status_prefix .. previous, member) end
  redis.call('ZADD', status_prefix .. status, score, member)
end`;

const SAVE_RUN = `${SAVE_RUN_LUA}
save_run(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 1`;

/** Writes a run record whole and keeps its indexes; the holder of the host lock is its only writer. */
export async function saveRun(redis: Redis, prefix: string, run: RunRecord): Promise<void> {
  const keys = storeKeys(prefix);
  await runScript(redis, SAVE_RUN, [keys.run(run.id), keys.runsByTime, keys.runsByBatch(run.batchId), keys.runsByHost(run.hostId), keys.runsByCustomer(run.customerId)], saveArgs(prefix, run));
}

function saveArgs(prefix: string, run: RunRecord): string[] {
  return [JSON.stringify({ ...run, steps: run.steps.map(capStep) }), run.status, String(Date.parse(run.queuedAt)), run.id, storeKeys(prefix).runsByStatus('')];
}

/*
 * Run phases. A host run used to be a dozen round trips (host state, lock, record, event, each its own command);
 * each phase below is one script that makes the host-state compare-and-set, the record save and the event append
 * together, so they also cannot be separated by a crash. The audit entry of each phase is written by the caller
 * right after (the chain's hashes are computed outside Redis; see releases/audit-writer.ts).
 */

// KEYS of a phase script: the seven host-transition keys, the run hash, the four run indexes, the events stream,
// the host lock, the batch hash, the run log.
function phaseKeys(prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>, hostId: string): string[] {
  const keys = storeKeys(prefix);
  const runId = `${batch.id}/${hostId}`;
  return [
    ...hostTransitionKeys(prefix, batch),
    keys.run(runId),
    keys.runsByTime,
    keys.runsByBatch(batch.id),
    keys.runsByHost(hostId),
    keys.runsByCustomer(batch.customerId),
    keys.events,
    keys.hostLock(hostId),
    keys.batch(batch.id),
    keys.runLog(runId),
  ];
}

const BEGIN_RUN = `${HOST_TRANSITION_LUA}
${SAVE_RUN_LUA}
if not redis.call('SET', KEYS[14], ARGV[1], 'PX', ARGV[2], 'NX') then return 'busy' end
local state = redis.call('HGET', KEYS[1], ARGV[3])
if state ~= 'queued' then return state or 'missing' end
transition_host(KEYS, ARGV[3], 'queued', 'running', ARGV[6], '')
save_run(KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], ARGV[4], 'running', ARGV[5], ARGV[6], ARGV[7])
redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[8], '*', 'event', ARGV[9])
return 'started'`;

export type BeginRunResult =
  /** The lock is held, the host moved queued -> running, the record says running, `run.started` is appended. */
  | { kind: 'started' }
  /** Another run holds the host's lock; nothing changed. */
  | { kind: 'busy' }
  /** The lock is held, but the host was not queued (running: a dead worker's run; final: a duplicate). */
  | { kind: 'not-queued'; state: HostState | undefined };

/**
 * The start of a host run, in one step: takes the host lock (`SET NX PX` with `lockToken`), and, if the host is
 * `queued`, moves it to `running`, saves `record` (status running) and appends `event` (run.started). The caller
 * renews and releases the lock (queue/host-lock.ts) whenever the result is not `busy`.
 */
export async function beginHostRun(
  redis: Redis,
  prefix: string,
  batch: Pick<BatchPlan, 'id' | 'customerId'>,
  hostId: string,
  options: { lockToken: string; lockTtlMs: number; record: RunRecord; event: OrchestrationEvent },
): Promise<BeginRunResult> {
  const keys = phaseKeys(prefix, batch, hostId);
  const [record, , score, member, statusPrefix] = saveArgs(prefix, { ...options.record, status: 'running' });
  const reply = await runScript(redis, BEGIN_RUN, keys, [
    options.lockToken,
    String(options.lockTtlMs),
    hostId,
    record!,
    score!,
    member!,
    statusPrefix!,
    String(EVENTS_MAX_LENGTH),
    JSON.stringify(options.event),
  ]);
  if (reply === 'started') return { kind: 'started' };
  if (reply === 'busy') return { kind: 'busy' };
  return { kind: 'not-queued', state: reply === 'missing' ? undefined : (reply as HostState) };
}

const FINISH_RUN = `${HOST_TRANSITION_LUA}
${SAVE_RUN_LUA}
local previous = transition_host(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if not previous then return false end
save_run(KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], ARGV[6], ARGV[11], ARGV[7], ARGV[4], ARGV[8])
if ARGV[10] ~= '' then redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[9], '*', 'event', ARGV[10]) end
if #ARGV > 12 then
  for i = 13, #ARGV, 1000 do redis.call('RPUSH', KEYS[16], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
  redis.call('LTRIM', KEYS[16], -tonumber(ARGV[12]), -1)
end
return {previous, redis.call('HGET', KEYS[15], 'dispatched') or '0', redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[5]), redis.call('SCARD', KEYS[6]), redis.call('SCARD', KEYS[7])}`;

export interface PhaseCounts {
  dispatched: number;
  inFlight: number;
  succeeded: number;
  failed: number;
  notRun: number;
}

/**
 * The end of a host run (or any move of a host with its record and event), in one step: the host moves from one
 * of `from` to `to` (with `note`), `record` is saved, `event` and the last `log` lines appended, and the batch's
 * counts as they stand right after are returned. Returns undefined, changing nothing, when the host was elsewhere.
 */
export async function finishHostRun(
  redis: Redis,
  prefix: string,
  batch: Pick<BatchPlan, 'id' | 'customerId'>,
  hostId: string,
  options: { from: readonly HostState[]; to: HostState; note?: string; record: RunRecord; event?: OrchestrationEvent; log?: readonly RunLogLine[] },
): Promise<{ previous: HostState; counts: PhaseCounts } | undefined> {
  const keys = phaseKeys(prefix, batch, hostId);
  const [record, status, score, member, statusPrefix] = saveArgs(prefix, options.record);
  const reply = await runScript(redis, FINISH_RUN, keys, [
    hostId,
    options.from.join(','),
    options.to,
    member!,
    options.note ?? '',
    record!,
    score!,
    statusPrefix!,
    String(EVENTS_MAX_LENGTH),
    options.event === undefined ? '' : JSON.stringify(options.event),
    status!,
    String(RUN_LOG_MAX_LINES),
    ...(options.log ?? []).map((line) => JSON.stringify(line)),
  ]);
  if (!Array.isArray(reply)) return undefined;
  const [previous, dispatched, inFlight, succeeded, failed, notRun] = reply as [string, string, number, number, number, number];
  return { previous: previous as HostState, counts: { dispatched: Number(dispatched), inFlight, succeeded, failed, notRun } };
}

/** A batch, one host's state and its run record, in one round trip. */
export async function loadHostRun(
  redis: Redis,
  prefix: string,
  batchId: string,
  hostId: string,
): Promise<{ batch: BatchRecord | undefined; state: HostState | undefined; run: RunRecord | undefined }> {
  const keys = storeKeys(prefix);
  const { batch, values } = await getBatchWith(redis, prefix, batchId, [
    [keys.batchHosts(batchId), hostId],
    [keys.run(`${batchId}/${hostId}`), 'record'],
  ]);
  const [state, raw] = values;
  return { batch, state: state === null || state === undefined ? undefined : (state as HostState), run: raw === null || raw === undefined ? undefined : (JSON.parse(raw) as RunRecord) };
}

// Hands hosts of a batch to the queue: each host still `pending` becomes `queued` with its new record, and the
// dispatch position moves on by ARGV[2], all in one step. KEYS: the seven host-transition keys, the time, batch
// and customer run indexes, the batch hash. ARGV: the run key prefix, the advance, the host index key prefix,
// the status index key prefix, then (host id, run id, queued-at ms, record JSON) for each host. Returns the hosts
// that were queued.
const QUEUE_RUNS = `${HOST_TRANSITION_LUA}
${SAVE_RUN_LUA}
local queued = {}
for i = 5, #ARGV, 4 do
  local host = ARGV[i]
  if transition_host(KEYS, host, 'pending', 'queued', ARGV[i + 1], '') then
    save_run(ARGV[1] .. ARGV[i + 1], KEYS[8], KEYS[9], ARGV[3] .. host, KEYS[10], ARGV[i + 3], 'queued', ARGV[i + 2], ARGV[i + 1], ARGV[4])
    queued[#queued + 1] = host
  end
end
redis.call('HINCRBY', KEYS[11], 'dispatched', ARGV[2])
return queued`;

/**
 * Queues hosts of a batch in one step: every host of `records` that is still `pending` moves to `queued` with its
 * record (status queued), and the batch's dispatch position advances by `advance` (the hosts handed out,
 * including any the caller skipped). Returns the ids of the hosts queued now; only the holder of the batch's
 * dispatch lock calls this.
 */
export async function queueHostRuns(redis: Redis, prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>, records: readonly RunRecord[], advance: number): Promise<string[]> {
  const keys = storeKeys(prefix);
  const args: string[] = [keys.run(''), String(advance), keys.runsByHost(''), keys.runsByStatus('')];
  for (const run of records) {
    const [record, , score, member] = saveArgs(prefix, { ...run, status: 'queued' });
    args.push(run.hostId, member!, score!, record!);
  }
  const reply = await runScript(redis, QUEUE_RUNS, [...hostTransitionKeys(prefix, batch), keys.runsByTime, keys.runsByBatch(batch.id), keys.runsByCustomer(batch.customerId), keys.batch(batch.id)], args);
  return Array.isArray(reply) ? (reply as string[]) : [];
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
