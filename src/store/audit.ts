import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { runScript } from './lua.js';

/**
 * The audit trail: an append-only Redis stream of every state change (batch, approval, run, incident, problem,
 * advisory decision, config reload, token use for a write). Each entry carries the hash of the previous one, so an
 * edited, inserted or deleted entry breaks the chain and `verifyAuditChain` finds it.
 */
export interface AuditInput {
  /** Who: a user name, `system:<role>` for the orchestrator itself. */
  actor: string;
  /** What: a dotted verb such as `batch.approved`, `incident.opened`. */
  action: string;
  /** Which record: `batch/<id>`, `incident/INC-000123`. */
  subject: string;
  customerId?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  /** When; defaults to now. Stored as an ISO 8601 UTC instant. */
  at?: Date;
}

export interface AuditEntry {
  /** The stream id (`<ms>-<seq>`), assigned by Redis. */
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string;
  customerId: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
const MAX_APPEND_ATTEMPTS = 50;

export function auditKeys(prefix: string): { stream: string; head: string } {
  return { stream: `${prefix}:audit`, head: `${prefix}:audit:head` };
}

/** The hash of an entry covers every field but the stream id and the hash itself, in a fixed order. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'id' | 'hash'>): string {
  const canonical = JSON.stringify([entry.prevHash, entry.at, entry.actor, entry.action, entry.subject, entry.customerId, entry.before ?? null, entry.after ?? null, entry.reason]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Appends one entry: a batch of one (see `appendAuditBatch`). One Lua script checks the chain head and writes the
 * head and the entry together, so two writers, in one process or many, can never chain onto the same predecessor.
 */
export async function appendAudit(redis: Redis, prefix: string, input: AuditInput): Promise<AuditEntry> {
  const [entry] = await appendAuditBatch(redis, prefix, [input]);
  return entry!;
}

function entryBody(input: AuditInput, prevHash: string): Omit<AuditEntry, 'id' | 'hash'> {
  return {
    at: (input.at ?? new Date()).toISOString(),
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    customerId: input.customerId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    reason: input.reason ?? null,
    prevHash,
  };
}

/**
 * Appends several entries as one step of the chain: each links to the one before it, the first to the current
 * head, and the head moves to the last. One Lua script compares the head with the one the hashes were computed
 * from and, only if it still matches, writes the new head and every stream entry atomically. When another writer
 * moved the head in between, the script returns the head it found and the entries are chained onto that one. No
 * WATCH, so any connection will do and appends may share it with other commands. The head each client last wrote
 * is remembered per prefix, so the usual case is one round trip. Entries are returned in order.
 */
export async function appendAuditBatch(redis: Redis, prefix: string, inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  const keys = auditKeys(prefix);
  const heads = knownHeads.get(redis) ?? new Map<string, string>();
  knownHeads.set(redis, heads);
  let head = heads.get(prefix) ?? (await redis.get(keys.head)) ?? GENESIS_HASH;
  for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
    const bodies: Array<Omit<AuditEntry, 'id'>> = [];
    let prevHash = head;
    for (const input of inputs) {
      const body = entryBody(input, prevHash);
      prevHash = hashAuditEntry(body);
      bodies.push({ ...body, hash: prevHash });
    }
    const reply = (await runScript(redis, APPEND_BATCH, [keys.head, keys.stream], [GENESIS_HASH, head, prevHash, ...bodies.map((body) => JSON.stringify(body))])) as [number, string | string[]];
    if (reply[0] === 1 && Array.isArray(reply[1]) && reply[1].length === bodies.length) {
      heads.set(prefix, prevHash);
      const ids = reply[1];
      return bodies.map((body, index) => ({ id: ids[index]!, ...body }));
    }
    if (reply[0] !== 0 || typeof reply[1] !== 'string') throw new AppError('internal', `audit batch append failed: unexpected reply ${JSON.stringify(reply)}`);
    head = reply[1]; // another writer moved the head: chain onto it
    heads.delete(prefix);
  }
  throw new AppError('conflict', `audit append of ${inputs.length} entries lost the race ${MAX_APPEND_ATTEMPTS} times; the audit stream is under unusual contention`);
}

// KEYS: head, stream. ARGV: genesis hash, the head the entries were chained onto, the new head, entries (JSON).
const APPEND_BATCH = `
local head = redis.call('GET', KEYS[1]) or ARGV[1]
if head ~= ARGV[2] then return {0, head} end
redis.call('SET', KEYS[1], ARGV[3])
local ids = {}
for i = 4, #ARGV do ids[#ids + 1] = redis.call('XADD', KEYS[2], '*', 'entry', ARGV[i]) end
return {1, ids}`;

/** The head each client last wrote, per prefix: a guess that saves a GET, checked by the script. */
const knownHeads = new WeakMap<Redis, Map<string, string>>();

export interface AuditQuery {
  from?: Date;
  to?: Date;
  customerId?: string;
  subject?: string;
  count?: number;
}

/** Reads entries in order, optionally by time range (by stream id), customer and subject. */
export async function readAudit(redis: Redis, prefix: string, query: AuditQuery = {}): Promise<AuditEntry[]> {
  const { stream } = auditKeys(prefix);
  const start = query.from === undefined ? '-' : String(query.from.getTime());
  const end = query.to === undefined ? '+' : String(query.to.getTime());
  const entries: AuditEntry[] = [];
  let cursor = start;
  let exclusive = false;
  const page = 1000;
  for (;;) {
    const rows = await redis.xrange(stream, exclusive ? `(${cursor}` : cursor, end, 'COUNT', page);
    for (const [id, fields] of rows) {
      const entry = parseEntry(id, fields);
      if (query.customerId !== undefined && entry.customerId !== query.customerId) continue;
      if (query.subject !== undefined && entry.subject !== query.subject) continue;
      entries.push(entry);
      if (query.count !== undefined && entries.length >= query.count) return entries;
    }
    if (rows.length < page) return entries;
    cursor = rows[rows.length - 1]![0];
    exclusive = true;
  }
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The first entry whose hash or link does not match, with what was wrong. */
  firstBroken?: { id: string; problem: string };
}

/** Recomputes the whole chain from the first entry. */
export async function verifyAuditChain(redis: Redis, prefix: string): Promise<AuditVerification> {
  const entries = await readAudit(redis, prefix);
  const head = await redis.get(auditKeys(prefix).head);
  let previous = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    if (entry.prevHash !== previous) {
      return { ok: false, checked: index, firstBroken: { id: entry.id, problem: `links to ${entry.prevHash.slice(0, 12)}… but the previous entry's hash is ${previous.slice(0, 12)}… (an entry before it was removed or inserted)` } };
    }
    const expected = hashAuditEntry(entry);
    if (entry.hash !== expected) {
      return { ok: false, checked: index, firstBroken: { id: entry.id, problem: `its content does not match its hash (the entry was edited)` } };
    }
    previous = entry.hash;
  }
  if (entries.length > 0 && head !== previous) {
    return { ok: false, checked: entries.length, firstBroken: { id: entries[entries.length - 1]!.id, problem: 'the chain head does not match the last entry (entries were removed from the end)' } };
  }
  return { ok: true, checked: entries.length };
}

function parseEntry(id: string, fields: string[]): AuditEntry {
  const index = fields.indexOf('entry');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) throw new AppError('internal', `audit entry ${id} has no body; the stream was written by something else`);
  return { id, ...(JSON.parse(raw) as Omit<AuditEntry, 'id'>) };
}
