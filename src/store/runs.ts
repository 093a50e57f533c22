import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import type { HostState, RunStatus } from '../domain/release-batch.js';
import { AppError } from '../errors.js';
import { storeKeys } from './keys.js';
import { asciiJson } from './ascii-json.js';
import { auditBody, auditKeys, AUDIT_INBOX_LUA, type AuditInput } from './audit.js';
import { hostTransitionKeys, HOST_TRANSITION_LUA, type BatchPlan } from './batches.js';
import { RUN_TEXTS_LUA } from './run-texts.js';
import { EVENTS_MAX_LENGTH, type OrchestrationEvent } from './events.js';
import { runScript } from './lua.js';
import { batchedScript, scriptBatcher } from './script-batcher.js';

/** Bytes of stdout and of stderr kept per step in a run record; the full stream is in the run log (also capped). */
export const STEP_OUTPUT_CAP_BYTES = 16 * 1024;
/** Lines kept in a run's log list (the newest). */
export const RUN_LOG_MAX_LINES = 5000;
/**
 * Field of the run hash counting every log line ever appended. The list keeps only the newest lines, so a line's
 * place in it moves when older ones are trimmed; positions given to readers (`next`) count from the first line
 * ever written instead, and stay valid.
 */
export const RUN_LOG_APPENDED_FIELD = 'logLines';

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

// Writes the record, adds it to the batch/host/customer/time indexes on its first save (a record that has a status
// is in them already), and moves it from its previous status
// index to the new one. A Lua function, shared by the one-save script and the run-phase scripts below.
// Arguments: the run's hash key, the time/batch/host/customer index keys, the record JSON, its status, the score
// (queued time in ms), the run id, and the status index key without the status.
export const SAVE_RUN_LUA = `
local function save_run(run_key, by_time, by_batch, by_host, by_customer, record, status, score, member, status_prefix)
  local previous = redis.call('HGET', run_key, 'status')
  redis.call('HSET', run_key, 'record', record, 'status', status)
  if not previous then
    redis.call('ZADD', by_time, 'NX', score, member)
    redis.call('ZADD', by_batch, 'NX', score, member)
    redis.call('ZADD', by_host, 'NX', score, member)
    redis.call('ZADD', by_customer, 'NX', score, member)
  end
  if previous ~= status then
    if previous then redis.call('ZREM', status_prefix .. previous, member) end
    redis.call('ZADD', status_prefix .. status, score, member)
  end
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
  const reason = run.reason === null ? null : wellFormed(run.reason);
  return [asciiJson({ ...run, reason, steps: run.steps.map(capStep) }), run.status, String(Date.parse(run.queuedAt)), run.id, storeKeys(prefix).runsByStatus('')];
}

/*
 * Run phases. A host run used to be a dozen round trips (host state, lock, record, event, each its own command);
 * each phase below is one script that makes the host-state compare-and-set, the record save and the event append
 * together, with the phase's audit entry (into the audit inbox; store/audit.ts), so they also cannot be separated by
 * a crash. The caller asks its audit writer to chain the entries soon (`sealSoon`).
 */

// KEYS of a phase script: the seven host-transition keys, the run hash, the four run indexes, the events stream,
// the host lock, the batch hash, the run log, the audit inbox.
export function phaseKeys(prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>, hostId: string): string[] {
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
    auditKeys(prefix).inbox,
  ];
}

// The start of a run. ARGV: host id, lock token, lock ttl ms, now ms, cutoff ms, worker id, started-at ISO, run id,
// status index key prefix, events max length, the actor of the audit entry. The record is patched where it is
// (cjson), so the caller need not read it first, and the run.started event and audit entry are written from it
// (run-texts.ts); `steps` is spliced back as text because cjson would write an empty list as {}. cjson also writes
// numbers with 14 significant digits: a record holds only small integers, and `steps` is its only list that can be
// empty; a new field of either kind needs the same care.
const BEGIN_RUN = batchedScript(`${HOST_TRANSITION_LUA}
${AUDIT_INBOX_LUA}
${RUN_TEXTS_LUA}`, `
local state = redis.call('HGET', KEYS[1], ARGV[1])
if state ~= 'queued' and state ~= 'running' then return {'done', state or 'missing'} end
-- A host left running by a dead worker is closed (not-queued below) whatever its batch's status, so that a halted or
-- cancelled batch does not keep it in flight for ever; only a queued host waits on the batch and the cutoff.
local run, previous, encoded
if state == 'queued' then
  local batch_status = redis.call('HGET', KEYS[15], 'status')
  if batch_status ~= 'running' then return {'batch', batch_status or 'missing'} end
  if tonumber(ARGV[4]) >= tonumber(ARGV[5]) then return {'cutoff'} end
  -- Everything that can fail comes before the lock is taken, so a refusal leaves nothing behind.
  local raw = redis.call('HGET', KEYS[8], 'record')
  if not raw then return {'no-record'} end
  local ok, decoded = pcall(cjson.decode, raw)
  if not ok or type(decoded) ~= 'table' then return {'bad-record', tostring(decoded)} end
  run = decoded
  previous = run.status
  local steps = run.steps
  run.steps = nil
  run.status = 'running'
  run.attempts = (tonumber(run.attempts) or 0) + 1
  run.workerId = ARGV[6]
  run.startedAt = ARGV[7]
  run.reason = cjson.null
  run.failureClass = cjson.null
  local steps_json = '[]'
  if type(steps) == 'table' and next(steps) ~= nil then steps_json = cjson.encode(steps) end
  encoded = cjson.encode(run)
  encoded = string.sub(encoded, 1, -2) .. ',"steps":' .. steps_json .. '}'
end
if not redis.call('SET', KEYS[14], ARGV[2], 'PX', ARGV[3], 'NX') then return {'busy'} end
if state ~= 'queued' then return {'not-queued', state} end
transition_host(KEYS, ARGV[1], 'queued', 'running', ARGV[8], '')
redis.call('HSET', KEYS[8], 'record', encoded, 'status', 'running')
local score = redis.call('ZSCORE', KEYS[10], ARGV[8])
if previous and previous ~= 'running' then redis.call('ZREM', ARGV[9] .. previous, ARGV[8]) end
if score then redis.call('ZADD', ARGV[9] .. 'running', score, ARGV[8]) end
redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[10], '*', 'event', run_event(run, 'run.started', ARGV[7]))
audit_inbox(KEYS[17], run_audit(run, ARGV[11], 'run.started', ARGV[7], {status = 'queued'}, {status = 'running', worker = ARGV[6], attempt = run.attempts}))
return {'started', run.attempts}`);

export type BeginRunResult =
  /** The lock is held, the host moved queued -> running with its record, event and audit entry; `attempts` counts this one. */
  | { kind: 'started'; attempts: number }
  /** Another run holds the host's lock; nothing changed. */
  | { kind: 'busy' }
  /** The lock is held, but the host was running already (a dead worker's run). */
  | { kind: 'not-queued'; state: HostState }
  /** The host has finished in this batch (a duplicate delivery), or is not in it; nothing changed. */
  | { kind: 'done'; state: HostState | undefined }
  /** The batch is not running (halted, cancelled, ...; undefined when it is gone); nothing changed. */
  | { kind: 'batch-not-running'; status: string | undefined }
  /** The host is queued but its batch's cutoff has passed; nothing changed. */
  | { kind: 'cutoff' }
  /** The host is queued but has no run record (written by something else); nothing changed. */
  | { kind: 'no-record' }
  /** The host is queued but its stored record cannot be read in Lua (see `saveRun`); nothing changed. */
  | { kind: 'bad-record'; problem: string };

export interface BeginRunOptions {
  lockToken: string;
  lockTtlMs: number;
  now: Date;
  workerId: string;
  /** Who the run.started audit entry names (`system:worker`). */
  actor: string;
}

/**
 * The start of a host run, in one step, with no read before it: checks that the host is queued, its batch running
 * and the cutoff not passed (a host still `running` from a dead worker skips the last two checks); takes the host lock (`SET NX PX` with `lockToken`); moves the host to running; marks
 * its stored record running (attempts + 1, worker, start time); appends the run.started event and audit entry,
 * written from the record. The
 * caller renews and releases the lock (queue/host-lock.ts) when the result is `started` or `not-queued`.
 */
export async function beginHostRun(
  redis: Redis,
  prefix: string,
  batch: Pick<BatchPlan, 'id' | 'customerId' | 'cutoffAt'>,
  hostId: string,
  options: BeginRunOptions,
): Promise<BeginRunResult> {
  const reply = (await scriptBatcher(redis, BEGIN_RUN).call(phaseKeys(prefix, batch, hostId), [
    hostId,
    options.lockToken,
    String(options.lockTtlMs),
    String(options.now.getTime()),
    String(Date.parse(batch.cutoffAt)),
    options.workerId,
    options.now.toISOString(),
    `${batch.id}/${hostId}`,
    storeKeys(prefix).runsByStatus(''),
    String(EVENTS_MAX_LENGTH),
    options.actor,
  ])) as [string, (string | number)?];
  switch (reply[0]) {
    case 'started':
      return { kind: 'started', attempts: Number(reply[1]) };
    case 'busy':
    case 'cutoff':
    case 'no-record':
      return { kind: reply[0] };
    case 'bad-record':
      return { kind: 'bad-record', problem: String(reply[1]) };
    case 'not-queued':
      return { kind: 'not-queued', state: reply[1] as HostState };
    case 'batch':
      return { kind: 'batch-not-running', status: reply[1] === 'missing' || reply[1] === undefined ? undefined : String(reply[1]) };
    default:
      return { kind: 'done', state: reply[1] === 'missing' || reply[1] === undefined ? undefined : (reply[1] as HostState) };
  }
}

/** A stored record; cjson writes an empty list as {} and escapes "/", which JSON.parse reads back as "/". */
function parseRecord(raw: string): RunRecord {
  const run = JSON.parse(raw) as RunRecord;
  if (!Array.isArray(run.steps)) run.steps = [];
  return run;
}

// ARGV: host id, allowed from-states, to-state, run id, note, record JSON, score, status index key prefix, events
// max length, event JSON or '', status, run log max lines, host lock token or '', audit entry body JSON or '', then
// the log lines. The lock is released whether or not the host moved: the caller is done with it either way.
const FINISH_RUN = batchedScript(`${HOST_TRANSITION_LUA}
${SAVE_RUN_LUA}
${AUDIT_INBOX_LUA}`, `
if ARGV[13] ~= '' and redis.call('GET', KEYS[14]) == ARGV[13] then redis.call('DEL', KEYS[14]) end
local previous = transition_host(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
if not previous then return false end
save_run(KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], ARGV[6], ARGV[11], ARGV[7], ARGV[4], ARGV[8])
if ARGV[10] ~= '' then redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[9], '*', 'event', ARGV[10]) end
if ARGV[14] ~= '' then audit_inbox(KEYS[17], ARGV[14]) end
if #ARGV > 14 then
  for i = 15, #ARGV, 1000 do redis.call('RPUSH', KEYS[16], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
  redis.call('LTRIM', KEYS[16], -tonumber(ARGV[12]), -1)
  redis.call('HINCRBY', KEYS[8], '${RUN_LOG_APPENDED_FIELD}', #ARGV - 14)
end
return {previous, redis.call('HGET', KEYS[15], 'dispatched') or '0', redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[5]), redis.call('SCARD', KEYS[6]), redis.call('SCARD', KEYS[7])}`);

export interface PhaseCounts {
  dispatched: number;
  inFlight: number;
  succeeded: number;
  failed: number;
  notRun: number;
}

/**
 * The end of a host run (or any move of a host with its record and event), in one step: the host moves from one
 * of `from` to `to` (with `note`), `record` is saved, `event`, `audit` and the last `log` lines appended, the host
 * lock held with `lockToken` released, and the batch's counts as they stand right after are returned. Returns
 * undefined when the host was elsewhere; then only the lock is released.
 */
export async function finishHostRun(
  redis: Redis,
  prefix: string,
  batch: Pick<BatchPlan, 'id' | 'customerId'>,
  hostId: string,
  options: { from: readonly HostState[]; to: HostState; note?: string; record: RunRecord; event?: OrchestrationEvent; audit?: AuditInput; lockToken?: string; log?: readonly RunLogLine[] },
): Promise<{ previous: HostState; counts: PhaseCounts } | undefined> {
  const keys = phaseKeys(prefix, batch, hostId);
  const [record, status, score, member, statusPrefix] = saveArgs(prefix, options.record);
  const reply = await scriptBatcher(redis, FINISH_RUN).call(keys, [
    hostId,
    options.from.join(','),
    options.to,
    member!,
    options.note ?? '',
    record!,
    score!,
    statusPrefix!,
    String(EVENTS_MAX_LENGTH),
    options.event === undefined ? '' : asciiJson(options.event),
    status!,
    String(RUN_LOG_MAX_LINES),
    options.lockToken ?? '',
    options.audit === undefined ? '' : asciiJson(auditBody(options.audit)),
    ...(options.log ?? []).map((line) => asciiJson(line)),
  ]);
  if (!Array.isArray(reply)) return undefined;
  const [previous, dispatched, inFlight, succeeded, failed, notRun] = reply as [string, string, number, number, number, number];
  return { previous: previous as HostState, counts: { dispatched: Number(dispatched), inFlight, succeeded, failed, notRun } };
}

// Hands hosts of a batch to the queue: each host still `pending` becomes `queued` with its new record, the
// dispatch position moves on by ARGV[2], and the hand-out is recorded as open (`from-to`, the positions it covers),
// all in one step. KEYS: the seven host-transition keys, the time, batch and customer run indexes, the batch hash,
// the batch's open hand-outs. ARGV: the run key prefix, the advance, the host index key prefix, the status index
// key prefix, then (host id, run id, queued-at ms, record JSON) for each host. Returns the hand-out's id and the
// hosts that were queued.
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
local to = redis.call('HINCRBY', KEYS[11], 'dispatched', ARGV[2])
local hand_out = (to - tonumber(ARGV[2])) .. '-' .. to
redis.call('SADD', KEYS[12], hand_out)
return {hand_out, queued}`;

/**
 * Queues hosts of a batch in one step: every host of `records` that is still `pending` moves to `queued` with its
 * record (status queued), and the batch's dispatch position advances by `advance` (the hosts handed out,
 * including any the caller skipped). Returns the ids of the hosts queued now, and the id of this hand-out, which
 * stays open (store/hand-outs.ts) until the caller closes it once the hosts' jobs are in BullMQ. Only the holder of
 * the batch's dispatch lock calls this.
 */
export async function queueHostRuns(redis: Redis, prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>, records: readonly RunRecord[], advance: number): Promise<{ hostIds: string[]; handOut: string }> {
  const keys = storeKeys(prefix);
  const args: string[] = [keys.run(''), String(advance), keys.runsByHost(''), keys.runsByStatus('')];
  for (const run of records) {
    const [record, , score, member] = saveArgs(prefix, { ...run, status: 'queued' });
    args.push(run.hostId, member!, score!, record!);
  }
  const keyList = [...hostTransitionKeys(prefix, batch), keys.runsByTime, keys.runsByBatch(batch.id), keys.runsByCustomer(batch.customerId), keys.batch(batch.id), keys.batchOpenHandOuts(batch.id)];
  const [handOut, hostIds] = (await runScript(redis, QUEUE_RUNS, keyList, args)) as [string, string[] | Record<string, never>];
  // Lua's empty table comes back as an empty reply either way; make it a list.
  return { handOut, hostIds: Array.isArray(hostIds) ? hostIds : [] };
}

export async function getRun(redis: Redis, prefix: string, id: string): Promise<RunRecord | undefined> {
  const raw = await redis.hget(storeKeys(prefix).run(id), 'record');
  return raw === null ? undefined : parseRecord(raw);
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
      const run = parseRecord(raw);
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
  const keys = storeKeys(prefix);
  const key = keys.runLog(runId);
  await redis
    .multi()
    .rpush(key, ...lines.map((line) => asciiJson(line)))
    .ltrim(key, -RUN_LOG_MAX_LINES, -1)
    .hincrby(keys.run(runId), RUN_LOG_APPENDED_FIELD, lines.length)
    .exec();
}

// KEYS: the run hash, the run log. ARGV: the position to read from. Returns the lines ever appended, the position of
// the oldest line kept, and the lines from max(position, oldest kept). A log written before the count existed was
// never trimmed by a counting writer: its count is its length.
const READ_RUN_LOG = `
local length = redis.call('LLEN', KEYS[2])
local appended = tonumber(redis.call('HGET', KEYS[1], '${RUN_LOG_APPENDED_FIELD}') or length)
if appended < length then appended = length end
local oldest = appended - length
local from = math.max(tonumber(ARGV[1]), oldest)
return {appended, oldest, redis.call('LRANGE', KEYS[2], from - oldest, -1)}`;

export interface RunLogPage {
  lines: RunLogLine[];
  /** Where to read from next time to follow the run (a count of lines since the run's first one). */
  next: number;
  /** Lines after `from` that are gone (a log keeps its newest RUN_LOG_MAX_LINES): they came before `lines`. */
  dropped: number;
}

/**
 * Log lines from position `from` (0 for the first line the run ever wrote; pass the returned `next` to follow a
 * live run). Positions do not move when old lines are trimmed, so a follower never skips or repeats a line; one
 * that falls more than RUN_LOG_MAX_LINES behind is told how many it missed (`dropped`).
 */
export async function readRunLog(redis: Redis, prefix: string, runId: string, from = 0): Promise<RunLogPage> {
  const keys = storeKeys(prefix);
  const [, oldest, raws] = (await runScript(redis, READ_RUN_LOG, [keys.run(runId), keys.runLog(runId)], [String(from)])) as [number, number, string[]];
  const start = Math.max(from, oldest);
  return { lines: raws.map((raw) => JSON.parse(raw) as RunLogLine), next: start + raws.length, dropped: start - from };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with each half of a surrogate pair that has lost its other half replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

// Texts from outside (output, reasons cut at a length) can hold half of a surrogate pair; JSON.stringify writes it
// as an escape that Redis's cjson refuses to read (the start step patches records with it), so it becomes U+FFFD.
export function capStep(step: StepRecord): StepRecord {
  const stdout = capText(wellFormed(step.stdout));
  const stderr = capText(wellFormed(step.stderr));
  return { ...step, name: wellFormed(step.name), stdout: stdout.text, stderr: stderr.text, truncatedBytes: step.truncatedBytes + stdout.dropped + stderr.dropped };
}

/** Keeps the last bytes of the text (the end of an apt run says what went wrong). */
function capText(text: string): { text: string; dropped: number } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= STEP_OUTPUT_CAP_BYTES) return { text, dropped: 0 };
  const buffer = Buffer.from(text);
  return { text: buffer.subarray(bytes - STEP_OUTPUT_CAP_BYTES).toString('utf8'), dropped: bytes - STEP_OUTPUT_CAP_BYTES };
}
