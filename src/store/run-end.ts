import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import type { HostState } from '../domain/release-batch.js';
import { asciiJson } from './ascii-json.js';
import { AUDIT_INBOX_LUA } from './audit.js';
import { HOST_TRANSITION_LUA, type BatchPlan } from './batches.js';
import { EVENTS_MAX_LENGTH } from './events.js';
import { storeKeys } from './keys.js';
import { RUN_TEXTS_LUA } from './run-texts.js';
import { capStep, phaseKeys, RUN_LOG_APPENDED_FIELD, RUN_LOG_MAX_LINES, SAVE_RUN_LUA, wellFormed, type PhaseCounts, type RunLogLine, type StepRecord } from './runs.js';
import { batchedScript, scriptBatcher } from './script-batcher.js';

// The end of a run the caller started (beginHostRun). KEYS: phaseKeys. ARGV: host id, the final state, run id, the
// reason or '', status index key prefix, events max length, host lock token or '', the audit actor, finished-at ISO,
// duration ms, failure class or '', the steps JSON, the event type, run log max lines, then the log lines. The
// record is read and patched here, and the event and audit entry written from it (run-texts.ts), so none of the
// three is sent. The lock is released whether or not the host moved: the caller is done with it either way.
const END_RUN = batchedScript(`${HOST_TRANSITION_LUA}
${SAVE_RUN_LUA}
${AUDIT_INBOX_LUA}
${RUN_TEXTS_LUA}`, `
if ARGV[7] ~= '' and redis.call('GET', KEYS[14]) == ARGV[7] then redis.call('DEL', KEYS[14]) end
-- Read before the host moves: a record this cannot read is ended by the caller another way.
local raw = redis.call('HGET', KEYS[8], 'record')
if not raw then return {'unreadable', 'missing'} end
local ok, run = pcall(cjson.decode, raw)
if not ok or type(run) ~= 'table' then return {'unreadable', tostring(run)} end
local previous = transition_host(KEYS, ARGV[1], 'running', ARGV[2], ARGV[3], ARGV[4])
if not previous then return false end
local reason, failure_class
if ARGV[4] ~= '' then reason = ARGV[4] end
if ARGV[11] ~= '' then failure_class = ARGV[11] end
run.steps = nil
run.status = ARGV[2]
run.failureClass = failure_class or cjson.null
run.reason = reason or cjson.null
run.finishedAt = ARGV[9]
run.durationMs = tonumber(ARGV[10])
local encoded = string.sub(cjson.encode(run), 1, -2) .. ',"steps":' .. ARGV[12] .. '}'
-- The indexes are scored by the queued time; a record missing from the batch's index (only something outside
-- redback makes one) gets 0.
local score = redis.call('ZSCORE', KEYS[10], ARGV[3]) or 0
save_run(KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12], encoded, ARGV[2], score, ARGV[3], ARGV[5])
redis.call('XADD', KEYS[13], 'MAXLEN', '~', ARGV[6], '*', 'event', run_event(run, ARGV[13], ARGV[9], failure_class, reason))
audit_inbox(KEYS[17], run_audit(run, ARGV[8], ARGV[13], ARGV[9], {status = 'running'}, {status = ARGV[2], failureClass = failure_class or cjson.null}, reason))
if #ARGV > 14 then
  for i = 15, #ARGV, 1000 do redis.call('RPUSH', KEYS[16], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
  redis.call('LTRIM', KEYS[16], -tonumber(ARGV[14]), -1)
  redis.call('HINCRBY', KEYS[8], '${RUN_LOG_APPENDED_FIELD}', #ARGV - 14)
end
return {'ended', previous, redis.call('HGET', KEYS[15], 'dispatched') or '0', redis.call('SCARD', KEYS[3]), redis.call('SCARD', KEYS[5]), redis.call('SCARD', KEYS[6]), redis.call('SCARD', KEYS[7])}`);

export interface EndRunOptions {
  to: 'succeeded' | 'failed' | 'interrupted';
  failureClass: FailureClass | null;
  /** Why it failed; also the host's note in the batch. */
  reason: string | null;
  steps: readonly StepRecord[];
  finishedAt: Date;
  durationMs: number;
  /** Who the audit entry names (`system:worker`). */
  actor: string;
  /** The host lock this run holds; released in the same step. */
  lockToken: string;
  /** Output lines not yet in the run log. */
  log?: readonly RunLogLine[];
}

export type EndRunResult =
  /** The host moved from running to `to`; the batch's counts right after. */
  | { kind: 'ended'; previous: HostState; counts: PhaseCounts }
  /** The host was not running (closed by someone else); only the lock was released. */
  | { kind: 'not-running' }
  /** The stored record is missing or cannot be read in Lua; only the lock was released, nothing else changed. */
  | { kind: 'unreadable'; problem: string };

/**
 * The end of a host run that `beginHostRun` started, in one step: the lock released, the host moved from running to
 * `to` (the reason as its note), its stored record patched (status, class, reason, steps, end time, duration), the
 * run's event and audit entry written from the record, and the last log lines appended. For any other end (a host
 * closed without a running record) use `finishHostRun`, which takes the whole record.
 */
export async function endHostRun(redis: Redis, prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>, hostId: string, options: EndRunOptions): Promise<EndRunResult> {
  const type = options.to === 'succeeded' ? 'run.succeeded' : options.to === 'interrupted' ? 'run.interrupted' : 'run.failed';
  const reply = (await scriptBatcher(redis, END_RUN).call(phaseKeys(prefix, batch, hostId), [
    hostId,
    options.to,
    `${batch.id}/${hostId}`,
    options.reason === null ? '' : wellFormed(options.reason),
    storeKeys(prefix).runsByStatus(''),
    String(EVENTS_MAX_LENGTH),
    options.lockToken,
    options.actor,
    options.finishedAt.toISOString(),
    String(options.durationMs),
    options.failureClass ?? '',
    asciiJson(options.steps.map(capStep)),
    type,
    String(RUN_LOG_MAX_LINES),
    ...(options.log ?? []).map((line) => asciiJson(line)),
  ])) as [string, ...Array<string | number>] | 0;
  if (!Array.isArray(reply)) return { kind: 'not-running' };
  if (reply[0] === 'unreadable') return { kind: 'unreadable', problem: String(reply[1]) };
  const [, previous, dispatched, inFlight, succeeded, failed, notRun] = reply as [string, string, string, number, number, number, number];
  return { kind: 'ended', previous: previous as HostState, counts: { dispatched: Number(dispatched), inFlight, succeeded, failed, notRun } };
}
