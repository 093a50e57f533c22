import { hash as digestOf, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { asciiJson } from './ascii-json.js';
import { releaseLockKey, runScript } from './lua.js';

/**
 * The audit trail: an append-only Redis stream of every state change (batch, approval, run, incident, problem,
 * advisory decision, config reload, token use for a write). Each entry carries the hash of the previous one, so an
 * edited, inserted or deleted entry breaks the chain and `verifyAuditChain` finds it.
 *
 * Entries arrive in two steps. First the entry's body goes into an inbox stream, in the same Redis step as the
 * change it records when a store script makes that change (a host run's start and end: store/runs.ts), so a change
 * and its entry cannot be separated by a crash, and the inbox order is the order in which the changes happened.
 * Then a sealer chains inbox entries, oldest first, onto the head (SHA-256 in Node, since Redis's Lua has no
 * SHA-256) and moves them to the audit stream under their inbox ids, in one script that checks the head first. Any
 * process may seal: the head check makes two sealers agree, and readers seal before they read.
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
  /** The stream id (`<ms>-<seq>`), assigned by Redis when the entry entered the inbox. */
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

/** An entry as it waits in the inbox: everything but its place in the chain. */
export type AuditBody = Omit<AuditEntry, 'id' | 'prevHash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);
const MAX_SEAL_ATTEMPTS = 50;
/** Inbox entries chained per seal script: a bound on the size of one call. */
const SEAL_PAGE = 500;

export function auditKeys(prefix: string): { stream: string; head: string; inbox: string; sealing: string } {
  return { stream: `${prefix}:audit`, head: `${prefix}:audit:head`, inbox: `${prefix}:audit:inbox`, sealing: `${prefix}:audit:sealing` };
}

/** How long a background sealer may hold the sealing claim before another may take over (a dead one lets go). */
const SEALING_CLAIM_MS = 5000;

/**
 * A background seal: the same as `sealAudit`, but only by one process at a time. Every worker asks for one after
 * each run; without the claim, several workers would each read and hash the same inbox pages and all but one would
 * lose the head check. Returns 0 at once when another process holds the claim (it goes on until the inbox is empty).
 */
export async function sealAuditInBackground(redis: Redis, prefix: string): Promise<number> {
  const { sealing, inbox } = auditKeys(prefix);
  let sealed = 0;
  // A process refused the claim while this one held it leaves its entries to this one; after letting go, look
  // again, or an entry written between the last read and the release would wait for the next seal anywhere.
  for (let round = 0; round < 10; round++) {
    const token = randomUUID();
    if ((await redis.set(sealing, token, 'PX', SEALING_CLAIM_MS, 'NX')) !== 'OK') return sealed;
    try {
      sealed += await sealAudit(redis, prefix, { through: '+' });
    } finally {
      await releaseLockKey(redis, sealing, token);
    }
    if ((await redis.xlen(inbox)) === 0) return sealed;
  }
  return sealed;
}

/** The hash of an entry covers every field but the stream id and the hash itself, in a fixed order. */
export function hashAuditEntry(entry: Omit<AuditEntry, 'id' | 'hash'>): string {
  const canonical = JSON.stringify([entry.prevHash, entry.at, entry.actor, entry.action, entry.subject, entry.customerId, entry.before ?? null, entry.after ?? null, entry.reason]);
  return digestOf('sha256', canonical, 'hex');
}

export function auditBody(input: AuditInput): AuditBody {
  return {
    at: (input.at ?? new Date()).toISOString(),
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    customerId: input.customerId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    reason: input.reason ?? null,
  };
}

/**
 * A Lua function for store scripts that record their change in the audit trail in the same step: appends an entry
 * body (JSON of an `AuditBody`) to the inbox (`auditKeys(prefix).inbox`). The sealer chains it later.
 */
export const AUDIT_INBOX_LUA = `
local function audit_inbox(inbox, body)
  return redis.call('XADD', inbox, '*', 'entry', body)
end`;

const APPEND_TO_INBOX = `${AUDIT_INBOX_LUA}
local ids = {}
for i = 1, #ARGV do ids[i] = audit_inbox(KEYS[1], ARGV[i]) end
return ids`;

/** Puts entries into the inbox, in order, in one step; returns their ids. They are chained by the next seal. */
export async function appendToAuditInbox(redis: Redis, prefix: string, inputs: readonly AuditInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  return (await runScript(redis, APPEND_TO_INBOX, [auditKeys(prefix).inbox], inputs.map((input) => asciiJson(auditBody(input))))) as string[];
}

/** Appends one entry and returns it chained: a batch of one (see `appendAuditBatch`). */
export async function appendAudit(redis: Redis, prefix: string, input: AuditInput): Promise<AuditEntry> {
  const [entry] = await appendAuditBatch(redis, prefix, [input]);
  return entry!;
}

/**
 * Appends several entries, in order, and returns them once they are chained: into the inbox in one step, then
 * sealed (by this call, or by another process that got there first), then read back with their hashes.
 */
export async function appendAuditBatch(redis: Redis, prefix: string, inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
  const ids = await appendToAuditInbox(redis, prefix, inputs);
  if (ids.length === 0) return [];
  await sealAudit(redis, prefix, { through: ids[ids.length - 1] });
  const wanted = new Set(ids);
  const rows = await redis.xrange(auditKeys(prefix).stream, ids[0]!, ids[ids.length - 1]!);
  const found = new Map(rows.filter(([id]) => wanted.has(id)).map(([id, fields]) => [id, parseEntry(id, fields)]));
  return ids.map((id) => {
    const entry = found.get(id);
    // Sealing keeps inbox ids unless the audit stream was already past them (see SEAL).
    if (entry === undefined) throw new AppError('internal', `audit entry ${id} was sealed under another id; read it with readAudit`);
    return entry;
  });
}

// KEYS: head, stream, inbox. ARGV: genesis hash, the head the entries were chained onto, the new head, the first
// inbox id, the id just after the last one (the inbox is trimmed below it in one step), then (inbox id, hash) pairs.
// The sealed entry is the body's own text, read here from the inbox, with its place in the chain added: the bodies
// are not sent back. An entry keeps its inbox id in the audit stream, unless the stream is already past it (an entry
// written there by an older version); then Redis picks the next id.
const SEAL = `
local head = redis.call('GET', KEYS[1]) or ARGV[1]
if head ~= ARGV[2] then return {0, head} end
local count = (#ARGV - 5) / 2
local rows = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', count)
if #rows < count or rows[1][1] ~= ARGV[4] then return {0, head} end
local previous = ARGV[2]
for i = 1, count do
  local id, hash = ARGV[4 + 2 * i], ARGV[5 + 2 * i]
  local row = rows[i]
  if row[1] ~= id then return {0, head} end
  local body
  for f = 1, #row[2], 2 do if row[2][f] == 'entry' then body = row[2][f + 1] end end
  local sealed = string.sub(body, 1, -2) .. ',"prevHash":"' .. previous .. '","hash":"' .. hash .. '"}'
  local added = redis.pcall('XADD', KEYS[2], id, 'entry', sealed)
  if type(added) == 'table' and added.err then redis.call('XADD', KEYS[2], '*', 'entry', sealed) end
  previous = hash
end
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[5])
redis.call('SET', KEYS[1], ARGV[3])
return {1}`;

/** The head each client last wrote, per prefix: a guess that saves a GET, checked by the seal script. */
const knownHeads = new WeakMap<Redis, Map<string, string>>();

/**
 * Chains waiting inbox entries onto the audit stream, oldest first, a page at a time. With `through` (an inbox id, or
 * '+' for the newest entry there now), goes on until no inbox entry at or before it is left (whoever sealed it);
 * without, seals what is there, at most `maxPages` pages. Another sealer moving the head in between costs a retry, never a fork of the chain.
 */
export async function sealAudit(redis: Redis, prefix: string, options: { through?: string; maxPages?: number } = {}): Promise<number> {
  const keys = auditKeys(prefix);
  const heads = knownHeads.get(redis) ?? new Map<string, string>();
  knownHeads.set(redis, heads);
  // '+' means what is in the inbox now: entries written while this seal runs are left to the next one, so a seal
  // under steady writes ends.
  let through = options.through;
  if (through === '+') {
    const [last] = await redis.xrevrange(keys.inbox, '+', '-', 'COUNT', 1);
    if (last === undefined) return 0;
    through = last[0];
  }
  let sealed = 0;
  let pages = 0;
  let conflicts = 0;
  for (;;) {
    const rows = await redis.xrange(keys.inbox, '-', through ?? '+', 'COUNT', SEAL_PAGE);
    if (rows.length === 0) return sealed;
    const expected = heads.get(prefix) ?? (await redis.get(keys.head)) ?? GENESIS_HASH;
    const args: string[] = [GENESIS_HASH, expected, '', rows[0]![0], idAfter(rows[rows.length - 1]![0])];
    let prevHash = expected;
    for (const [id, fields] of rows) {
      const hash = hashAuditEntry({ ...parseBody(id, bodyText(id, fields)), prevHash });
      args.push(id, hash);
      prevHash = hash;
    }
    args[2] = prevHash;
    const reply = (await runScript(redis, SEAL, [keys.head, keys.stream, keys.inbox], args)) as [number, string?];
    if (reply[0] === 1) {
      heads.set(prefix, prevHash);
      sealed += rows.length;
      pages += 1;
      conflicts = 0;
      if (through === undefined && (rows.length < SEAL_PAGE || pages >= (options.maxPages ?? 20))) return sealed;
      continue;
    }
    // Another sealer moved the head (or took these entries): read the inbox and the head again.
    heads.delete(prefix);
    if (typeof reply[1] === 'string') heads.set(prefix, reply[1]);
    conflicts += 1;
    if (conflicts >= MAX_SEAL_ATTEMPTS) throw new AppError('conflict', `audit sealing lost the race ${MAX_SEAL_ATTEMPTS} times; the audit stream is under unusual contention`);
  }
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  customerId?: string;
  subject?: string;
  count?: number;
}

/** Reads entries in order (sealing what waits in the inbox first), optionally by time range (by stream id), customer and subject. */
export async function readAudit(redis: Redis, prefix: string, query: AuditQuery = {}): Promise<AuditEntry[]> {
  const { stream } = auditKeys(prefix);
  // What waits in the inbox belongs before anything read now. A seal that fails (an inbox entry something else
  // wrote) does not stop the reading of what is chained; verifyAuditChain reports it.
  await sealAudit(redis, prefix, { through: '+' }).catch(() => undefined);
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
  const keys = auditKeys(prefix);
  await sealAudit(redis, prefix, { through: '+' }); // an inbox that cannot be chained is a failure of the trail
  const entries = await readAudit(redis, prefix);
  let head = await redis.get(keys.head);
  let previous = GENESIS_HASH;
  let checked = 0;
  const check = (entry: AuditEntry): AuditVerification | undefined => {
    if (entry.prevHash !== previous) {
      return { ok: false, checked, firstBroken: { id: entry.id, problem: `links to ${entry.prevHash.slice(0, 12)}… but the previous entry's hash is ${previous.slice(0, 12)}… (an entry before it was removed or inserted)` } };
    }
    if (entry.hash !== hashAuditEntry(entry)) {
      return { ok: false, checked, firstBroken: { id: entry.id, problem: `its content does not match its hash (the entry was edited)` } };
    }
    previous = entry.hash;
    checked += 1;
    return undefined;
  };
  for (const entry of entries) {
    const broken = check(entry);
    if (broken !== undefined) return broken;
  }
  // Entries sealed after the read moved the head on: check those too before calling the end of the chain cut.
  let lastId = entries[entries.length - 1]?.id;
  for (let round = 0; lastId !== undefined && head !== previous && round < 5; round++) {
    const later = (await redis.xrange(keys.stream, `(${lastId}`, '+')).map(([id, fields]) => parseEntry(id, fields));
    for (const entry of later) {
      const broken = check(entry);
      if (broken !== undefined) return broken;
    }
    lastId = later[later.length - 1]?.id ?? lastId;
    head = await redis.get(keys.head);
    if (later.length === 0) break;
  }
  if (checked > 0 && head !== previous) {
    return { ok: false, checked, firstBroken: { id: lastId!, problem: 'the chain head does not match the last entry (entries were removed from the end)' } };
  }
  return { ok: true, checked };
}

function idAfter(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq ?? '0') + 1n}`;
}

function bodyText(id: string, fields: string[]): string {
  const index = fields.indexOf('entry');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined || !raw.startsWith('{') || !raw.endsWith('}') || raw === '{}') {
    throw new AppError('internal', `audit inbox entry ${id} has no body; the inbox was written by something else. Chaining stops here: look at it with XRANGE <prefix>:audit:inbox ${id} ${id}, and remove it with XDEL to let the entries after it be chained`);
  }
  return raw;
}

function parseBody(id: string, raw: string): AuditBody {
  const body = JSON.parse(raw) as Partial<AuditBody> & { prevHash?: unknown; hash?: unknown };
  if (typeof body.action !== 'string' || typeof body.subject !== 'string' || body.prevHash !== undefined || body.hash !== undefined) {
    throw new AppError('internal', `audit inbox entry ${id} is not an entry body (action, subject, and no chain fields); the inbox was written by something else. Chaining stops here: look at it with XRANGE <prefix>:audit:inbox ${id} ${id}, and remove it with XDEL to let the entries after it be chained`);
  }
  const { at, actor, action, subject, customerId, before, after, reason } = body as AuditBody;
  return { at, actor, action, subject, customerId: customerId ?? null, before: before ?? null, after: after ?? null, reason: reason ?? null };
}

function parseEntry(id: string, fields: string[]): AuditEntry {
  const index = fields.indexOf('entry');
  const raw = index >= 0 ? fields[index + 1] : undefined;
  if (raw === undefined) throw new AppError('internal', `audit entry ${id} has no body; the stream was written by something else`);
  return { id, ...(JSON.parse(raw) as Omit<AuditEntry, 'id'>) };
}
