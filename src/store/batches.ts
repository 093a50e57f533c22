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
// two schedulers may race on the same occurrence, and exactly one must win.
const CREATE_BATCH = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'plan', ARGV[1], 'status', ARGV[2], 'updatedAt', ARGV[3], 'dispatched', 0)
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
// counters) make a repeated transition harmless.
const TRANSITION_HOST = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return false end
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == current then allowed = true end end
if not allowed then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[5]) end
local member = ARGV[4]
if ARGV[3] == 'queued' or ARGV[3] == 'running' then
  redis.call('SADD', KEYS[3], member)
  redis.call('SADD', KEYS[4], member)
else
  redis.call('SREM', KEYS[3], member)
  redis.call('SREM', KEYS[4], member)
  if ARGV[3] == 'succeeded' then redis.call('SADD', KEYS[5], member)
  elseif ARGV[3] == 'failed' or ARGV[3] == 'interrupted' then redis.call('SADD', KEYS[6], member)
  elseif ARGV[3] == 'deferred' or ARGV[3] == 'skipped' then redis.call('SADD', KEYS[7], member) end
end
return current`;

export async function createBatch(redis: Redis, prefix: string, plan: BatchPlan, status: BatchStatus, now: Date): Promise<boolean> {
  const keys = storeKeys(prefix);
  const created = await runScript(redis, CREATE_BATCH, [keys.batch(plan.id), keys.batchHosts(plan.id), keys.batchesByTime, keys.openBatches], [
    JSON.stringify(plan),
    status,
    now.toISOString(),
    String(Date.parse(plan.windowStart)),
    JSON.stringify(plan.hostIds),
    plan.id,
  ]);
  return created === 1;
}

// A plan never changes once created, and a large batch's plan (every host id) is costly to fetch and parse for
// each of its host runs; each process keeps the plans it has read recently.
const planCache = new Map<string, BatchPlan>();
const PLAN_CACHE_SIZE = 256;
const STATE_FIELDS = ['status', 'statusReason', 'updatedAt', 'approvedBy', 'startedAt', 'finishedAt', 'dispatched'] as const;

export async function getBatch(redis: Redis, prefix: string, id: string): Promise<BatchRecord | undefined> {
  const key = storeKeys(prefix).batch(id);
  const cacheKey = `${prefix}\u0000${id}`;
  let plan = planCache.get(cacheKey);
  if (plan === undefined) {
    const raw = await redis.hget(key, 'plan');
    if (raw === null) return undefined;
    plan = JSON.parse(raw) as BatchPlan;
    if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value as string);
    planCache.set(cacheKey, plan);
  }
  const [status, statusReason, updatedAt, approvedBy, startedAt, finishedAt, dispatched] = await redis.hmget(key, ...STATE_FIELDS);
  if (status === null || status === undefined) {
    planCache.delete(cacheKey); // the batch was removed (e.g. a test flushed its keys)
    return undefined;
  }
  return {
    ...plan,
    status: status as BatchStatus,
    statusReason: statusReason ?? null,
    updatedAt: updatedAt ?? plan.plannedAt,
    approvedBy: approvedBy ?? null,
    startedAt: startedAt ?? null,
    finishedAt: finishedAt ?? null,
    dispatched: Number(dispatched ?? 0),
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
  const keys = storeKeys(prefix);
  const previous = await runScript(redis, TRANSITION_HOST, [
    keys.batchHosts(batch.id),
    keys.batchNotes(batch.id),
    keys.batchInFlight(batch.id),
    keys.customerInFlight(batch.customerId),
    keys.batchOutcome(batch.id, 'succeeded'),
    keys.batchOutcome(batch.id, 'failed'),
    keys.batchOutcome(batch.id, 'not-run'),
  ], [
    hostId,
    from.join(','),
    to,
    `${batch.id}/${hostId}`,
    note,
  ]);
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
