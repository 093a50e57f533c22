import type { Redis } from 'ioredis';
import type { BatchStatus, HostState } from '../domain/release-batch.js';
import { isFinalBatchStatus, isFinalHostState } from '../domain/release-batch.js';
import type { RolloutRules } from '../domain/rollout.js';
import { AppError } from '../errors.js';
import { storeKeys } from './keys.js';
import { runScript } from './lua.js';

/** What the planner fixes when it creates a batch; never changes afterwards. */
export interface BatchPlan {
  /** The occurrence id, `windowId@YYYYMMDDTHHMMSSZ`: one batch per occurrence. */
  id: string;
  occurrenceId: string;
  windowId: string;
  customerId: string;
  /** Playbook references of the window (ids or kinds, resolved per host OS at run time). */
  playbooks: string[];
  params: Record<string, unknown>;
  checkMode: boolean;
  approval: 'auto' | 'required';
  rollout: RolloutRules;
  /** Hosts resolved at planning, in dispatch order. */
  hostIds: string[];
  /** ISO 8601 UTC instants. */
  windowStart: string;
  windowEnd: string;
  /** No host run starts at or after this instant (window end minus cutoff). */
  cutoffAt: string;
  plannedAt: string;
  plannedBy: string;
  /** Set on the batch of a `redback run` (no maintenance window behind it); see releases/ad-hoc-runs.ts. */
  adHoc?: AdHocRun;
  /** Set on an urgent advisory's emergency batch; see advisories/preventive/ (plan, move-emergency). */
  emergency?: EmergencyWindow;
}

/** Which advisory an emergency batch patches, the contract's due time, and the batch it was moved from (if any). */
export interface EmergencyWindow {
  advisoryId: string;
  /** The contract's emergency term from detection (`emergency_patch`); a move keeps it. */
  dueAt: string;
  movedFrom: string | null;
}

/** Who asked for an ad-hoc run and why; `outOfWindow` runs (`--force`) wait for a second engineer's approval. */
export interface AdHocRun {
  requestedBy: string;
  outOfWindow: boolean;
  reason: string | null;
}

export interface BatchRecord extends BatchPlan {
  status: BatchStatus;
  statusReason: string | null;
  updatedAt: string;
  approvedBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Hosts handed to the queue so far (position in `hostIds`). */
  dispatched: number;
}

export interface BatchCounts {
  total: number;
  dispatched: number;
  inFlight: number;
  succeeded: number;
  failed: number;
  notRun: number;
}

// Creates the batch and its host table in one step, only if the batch does not exist yet: the planner tick of
// two schedulers may race on the same occurrence, and exactly one must win. ARGV[7..] are extra field/value pairs
// written with the status (a batch created already expired carries its reason and finish time from the start).
const CREATE_BATCH = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'plan', ARGV[1], 'status', ARGV[2], 'updatedAt', ARGV[3], 'dispatched', 0)
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local hosts = cjson.decode(ARGV[5])
for i, host in ipairs(hosts) do redis.call('HSET', KEYS[2], host, 'pending') end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
redis.call('SADD', KEYS[4], ARGV[6])
return 1`;

// Compare-and-set of the batch status: only from one of the expected statuses.
const SET_BATCH_STATUS = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return false end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == current then allowed = true end end
if not allowed then return false end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', ARGV[3])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[4] == '1' then redis.call('SREM', KEYS[2], ARGV[5]) end
return current`;

// Compare-and-set of one host's state, keeping the in-flight and outcome sets in step with it. Sets (not
// counters) make a repeated transition harmless. A Lua function, so that the scripts of a run phase
// (store/runs.ts) make the same change together with their record and event writes.
// Arguments: the seven keys of `hostTransitionKeys`, the host id, the allowed states joined by `,`, the new state,
// the run id (set member) and the note ('' for none). Returns the previous state, or false.
export const HOST_TRANSITION_LUA = `
local function transition_host(k, host, from, to, member, note)
  local current = redis.call('HGET', k[1], host)
  if not current then return false end
  local allowed = false
  for s in string.gmatch(from, '[^,]+') do if s == current then allowed = true end end
  if not allowed then return false end
  redis.call('HSET', k[1], host, to)
  if note ~= '' then redis.call('HSET', k[2], host, note) end
  local was_in_flight = current == 'queued' or current == 'running'
  if to == 'queued' or to == 'running' then
    if not was_in_flight then
      redis.call('SADD', k[3], member)
      redis.call('SADD', k[4], member)
    end
  else
    redis.call('SREM', k[3], member)
    redis.call('SREM', k[4], member)
    if to == 'succeeded' then redis.call('SADD', k[5], member)
    elseif to == 'failed' or to == 'interrupted' then redis.call('SADD', k[6], member)
    elseif to == 'deferred' or to == 'skipped' then redis.call('SADD', k[7], member) end
  end
  return current
end`;

const TRANSITION_HOST = `${HOST_TRANSITION_LUA}
return transition_host(KEYS, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])`;

/**
 * The keys a host transition touches, in the order `HOST_TRANSITION_LUA` expects: host states, notes, the batch's
 * and the customer's in-flight sets, the succeeded, failed and not-run sets.
 */
export function hostTransitionKeys(prefix: string, batch: Pick<BatchPlan, 'id' | 'customerId'>): string[] {
  const keys = storeKeys(prefix);
  return [
    keys.batchHosts(batch.id),
    keys.batchNotes(batch.id),
    keys.batchInFlight(batch.id),
    keys.customerInFlight(batch.customerId),
    keys.batchOutcome(batch.id, 'succeeded'),
    keys.batchOutcome(batch.id, 'failed'),
    keys.batchOutcome(batch.id, 'not-run'),
  ];
}

/**
 * Creates the batch with its hosts `pending` and puts it on the open list, unless it exists; true if this call
 * created it. `fields` (e.g. `statusReason`, `finishedAt`) are written in the same step.
 */
export async function createBatch(redis: Redis, prefix: string, plan: BatchPlan, status: BatchStatus, now: Date, fields: Record<string, string> = {}): Promise<boolean> {
  const keys = storeKeys(prefix);
  const created = await runScript(redis, CREATE_BATCH, [keys.batch(plan.id), keys.batchHosts(plan.id), keys.batchesByTime, keys.openBatches], [
    JSON.stringify(plan),
    status,
    now.toISOString(),
    String(Date.parse(plan.windowStart)),
    JSON.stringify(plan.hostIds),
    plan.id,
    ...Object.entries(fields).flat(),
  ]);
  return created === 1;
}

// A plan never changes once created, and a large batch's plan (every host id) is costly to fetch and parse for
// each of its host runs; each process keeps the plans it has read recently.
const planCache = new Map<string, BatchPlan>();
const PLAN_CACHE_SIZE = 256;
// Plans on their way from Redis: the first host runs of a batch start together (one per worker slot) and would
// each fetch and parse the whole plan; the reads that find a fetch under way wait for it instead.
const planLoads = new Map<string, Promise<BatchPlan | undefined>>();
const STATE_FIELDS = ['status', 'statusReason', 'updatedAt', 'approvedBy', 'startedAt', 'finishedAt', 'dispatched'] as const;

// The batch's state fields, each other [key, field] asked for, and the plan when ARGV[1] is '1'. KEYS: the batch
// hash, then one key per other field; ARGV: the plan flag, then the fields.
const READ_BATCH_WITH = `
local out = {redis.call('HMGET', KEYS[1], ${STATE_FIELDS.map((f) => `'${f}'`).join(', ')})}
for i = 2, #KEYS do out[i] = redis.call('HGET', KEYS[i], ARGV[i]) end
if ARGV[1] == '1' then out[#KEYS + 1] = redis.call('HGET', KEYS[1], 'plan') end
return out`;

export async function getBatch(redis: Redis, prefix: string, id: string): Promise<BatchRecord | undefined> {
  return (await getBatchWith(redis, prefix, id, [])).batch;
}

/**
 * A batch's plan (what never changes once planned), from this process's cache when it has it, so a host run does
 * not read it again; the batch's status is for the caller to check (store beginHostRun does, in its own step).
 */
export async function getBatchPlan(redis: Redis, prefix: string, id: string): Promise<BatchPlan | undefined> {
  return planCache.get(`${prefix}\u0000${id}`) ?? (await getBatchWith(redis, prefix, id, [])).batch;
}

/**
 * A batch together with other hash fields (a host's state, a run record, ...) in one round trip: the batch's state
 * fields, the plan when it is not cached, and each `[key, field]` asked for, in one script call.
 */
export async function getBatchWith(
  redis: Redis,
  prefix: string,
  id: string,
  fields: ReadonlyArray<readonly [key: string, field: string]>,
): Promise<{ batch: BatchRecord | undefined; values: Array<string | null> }> {
  const key = storeKeys(prefix).batch(id);
  const cacheKey = `${prefix}\u0000${id}`;
  let plan = planCache.get(cacheKey);
  const loading = plan === undefined ? planLoads.get(cacheKey) : undefined;
  let settle: ((loaded: BatchPlan | undefined) => void) | undefined;
  if (plan === undefined && loading === undefined) planLoads.set(cacheKey, new Promise<BatchPlan | undefined>((resolve) => (settle = resolve)));
  // One read-only script rather than a pipeline: an ioredis pipeline is costly to build on a connection that
  // BullMQ has defined its scripts on, and this read is made for every host run.
  const keys = [key];
  const args: string[] = [settle === undefined ? '0' : '1'];
  for (const [otherKey, field] of fields) {
    keys.push(otherKey);
    args.push(field);
  }
  let replies: unknown[];
  try {
    replies = (await runScript(redis, READ_BATCH_WITH, keys, args)) as unknown[];
  } catch (error) {
    if (settle !== undefined) {
      planLoads.delete(cacheKey);
      settle(undefined); // the waiters fetch the plan themselves (loading again below)
    }
    throw error;
  }
  const values = replies.slice(1, 1 + fields.length).map((value) => (typeof value === 'string' ? value : null));
  if (settle !== undefined) {
    planLoads.delete(cacheKey);
    const raw = replies[1 + fields.length];
    plan = typeof raw === 'string' ? (JSON.parse(raw) as BatchPlan) : undefined;
    if (plan !== undefined) {
      if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value as string);
      planCache.set(cacheKey, plan);
    }
    settle(plan);
    if (plan === undefined) return { batch: undefined, values };
  } else if (loading !== undefined) {
    plan = (await loading) ?? (await getBatchWith(redis, prefix, id, [])).batch;
    if (plan === undefined) return { batch: undefined, values };
  }
  if (plan === undefined) return { batch: undefined, values };
  const [status, statusReason, updatedAt, approvedBy, startedAt, finishedAt, dispatched] = (replies[0] ?? []) as Array<string | null>;
  if (status === null || status === undefined) {
    planCache.delete(cacheKey); // the batch was removed (e.g. a test flushed its keys)
    return { batch: undefined, values };
  }
  return {
    batch: {
      ...plan,
      status: status as BatchStatus,
      statusReason: statusReason ?? null,
      updatedAt: updatedAt ?? plan.plannedAt,
      approvedBy: approvedBy ?? null,
      startedAt: startedAt ?? null,
      finishedAt: finishedAt ?? null,
      dispatched: Number(dispatched ?? 0),
    },
    values,
  };
}

export async function requireBatch(redis: Redis, prefix: string, id: string): Promise<BatchRecord> {
  const batch = await getBatch(redis, prefix, id);
  if (batch === undefined) throw new AppError('not-found', `batch ${JSON.stringify(id)} does not exist; list batches with \`redback batches list\``);
  return batch;
}

/**
 * Moves a batch to `to` if it is in one of `from`; returns the status it had, or undefined if it was not in
 * one of them (another process moved it first). Extra fields (reason, approver, times) are written with it.
 */
export async function setBatchStatus(
  redis: Redis,
  prefix: string,
  id: string,
  from: readonly BatchStatus[],
  to: BatchStatus,
  now: Date,
  fields: Record<string, string> = {},
): Promise<BatchStatus | undefined> {
  const keys = storeKeys(prefix);
  const extra = Object.entries(fields).flat();
  const previous = await runScript(redis, SET_BATCH_STATUS, [keys.batch(id), keys.openBatches], [
    from.join(','),
    to,
    now.toISOString(),
    // A halted or cancelled batch stays open until its pending hosts are closed (see releases/dispatcher.ts).
    isFinalBatchStatus(to) && to !== 'halted' && to !== 'cancelled' ? '1' : '0',
    id,
    ...extra,
  ]);
  return typeof previous === 'string' ? (previous as BatchStatus) : undefined;
}

/** Moves one host of a batch from one of `from` to `to`; returns its previous state, or undefined if it was elsewhere. */
export async function transitionHost(
  redis: Redis,
  prefix: string,
  batch: Pick<BatchPlan, 'id' | 'customerId'>,
  hostId: string,
  from: readonly HostState[],
  to: HostState,
  note = '',
): Promise<HostState | undefined> {
  const previous = await runScript(redis, TRANSITION_HOST, hostTransitionKeys(prefix, batch), [hostId, from.join(','), to, `${batch.id}/${hostId}`, note]);
  return typeof previous === 'string' ? (previous as HostState) : undefined;
}

/** Moves the dispatch position forward; only the holder of the batch's dispatch lock calls this. */
export async function advanceDispatched(redis: Redis, prefix: string, id: string, by: number): Promise<number> {
  return await redis.hincrby(storeKeys(prefix).batch(id), 'dispatched', by);
}

export async function batchCounts(redis: Redis, prefix: string, batch: Pick<BatchRecord, 'id' | 'hostIds'>): Promise<BatchCounts> {
  const keys = storeKeys(prefix);
  const reply = await redis
    .multi()
    .hget(keys.batch(batch.id), 'dispatched')
    .scard(keys.batchInFlight(batch.id))
    .scard(keys.batchOutcome(batch.id, 'succeeded'))
    .scard(keys.batchOutcome(batch.id, 'failed'))
    .scard(keys.batchOutcome(batch.id, 'not-run'))
    .exec();
  const value = (index: number): number => Number(reply?.[index]?.[1] ?? 0);
  return { total: batch.hostIds.length, dispatched: value(0), inFlight: value(1), succeeded: value(2), failed: value(3), notRun: value(4) };
}

export async function customerInFlight(redis: Redis, prefix: string, customerId: string): Promise<number> {
  return await redis.scard(storeKeys(prefix).customerInFlight(customerId));
}

export interface HostEntry {
  hostId: string;
  state: HostState;
  note: string | null;
}

/** The hosts of a batch in dispatch order with their state and the reason for a deferral or skip. */
export async function batchHosts(redis: Redis, prefix: string, batch: Pick<BatchRecord, 'id' | 'hostIds'>): Promise<HostEntry[]> {
  const keys = storeKeys(prefix);
  const [states, notes] = await Promise.all([redis.hgetall(keys.batchHosts(batch.id)), redis.hgetall(keys.batchNotes(batch.id))]);
  return batch.hostIds.map((hostId) => ({ hostId, state: (states[hostId] ?? 'pending') as HostState, note: notes[hostId] ?? null }));
}

export async function hostState(redis: Redis, prefix: string, batchId: string, hostId: string): Promise<HostState | undefined> {
  const state = await redis.hget(storeKeys(prefix).batchHosts(batchId), hostId);
  return state === null ? undefined : (state as HostState);
}

/** Takes a batch off the open list once nothing of it is left to do. */
export async function closeBatch(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.srem(storeKeys(prefix).openBatches, id);
}

export async function openBatchIds(redis: Redis, prefix: string): Promise<string[]> {
  return (await redis.smembers(storeKeys(prefix).openBatches)).sort();
}

export interface BatchQuery {
  status?: BatchStatus;
  customerId?: string;
  windowId?: string;
  /** Window start at or after. */
  from?: Date;
  to?: Date;
  limit?: number;
}

/** Batches by window start, newest first, filtered. */
export async function listBatches(redis: Redis, prefix: string, query: BatchQuery = {}): Promise<BatchRecord[]> {
  const keys = storeKeys(prefix);
  const max = query.to === undefined ? '+inf' : String(query.to.getTime());
  const min = query.from === undefined ? '-inf' : String(query.from.getTime());
  const ids = await redis.zrevrangebyscore(keys.batchesByTime, max, min);
  const limit = query.limit ?? 100;
  const result: BatchRecord[] = [];
  for (const id of ids) {
    const batch = await getBatch(redis, prefix, id);
    if (batch === undefined) continue;
    if (query.status !== undefined && batch.status !== query.status) continue;
    if (query.customerId !== undefined && batch.customerId !== query.customerId) continue;
    if (query.windowId !== undefined && batch.windowId !== query.windowId) continue;
    result.push(batch);
    if (result.length >= limit) break;
  }
  return result;
}

export function isHostFinal(state: HostState | undefined): boolean {
  return state !== undefined && isFinalHostState(state);
}
