import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * The Redis repository shared by incidents and problems ("tickets"). A record is a hash `{ data: JSON,
 * version }`; indexes are sorted sets by open time (all, per customer, per status); a timeline is a list.
 * Creation and every update run as one Lua script each, so a record, its indexes and its timeline never
 * disagree, and concurrent writers never overwrite each other: an update carries the version it read and is
 * retried from a fresh read when another writer got there first (optimistic concurrency without WATCH, which
 * would need a connection of its own).
 */
export interface TicketBase {
  id: string;
  customerId: string | null;
  status: string;
  openedAt: string;
  updatedAt: string;
  /** While the ticket is open, no second ticket with the same key is created (escalation key, alert key). */
  dedupeKey: string | null;
}

export interface TimelineEntry {
  at: string;
  actor: string;
  /** A dotted verb, like the audit stream's: `incident.assigned`, `incident.host-joined`. */
  action: string;
  text?: string;
  from?: unknown;
  to?: unknown;
}

export interface TicketListFilter {
  customerId?: string;
  statuses?: readonly string[];
  /** Newest first; at most this many. */
  limit?: number;
}

export interface TicketKeys {
  seq: string;
  record(id: string): string;
  timeline(id: string): string;
  byTime: string;
  byCustomer(customerId: string): string;
  byStatus(status: string): string;
  dedupe(key: string): string;
}

export function ticketKeys(prefix: string, kind: string): TicketKeys {
  return {
    seq: `${prefix}:${kind}:seq`,
    record: (id) => `${prefix}:${kind}:${id}`,
    timeline: (id) => `${prefix}:${kind}:${id}:timeline`,
    byTime: `${prefix}:${kind}s`,
    byCustomer: (customerId) => `${prefix}:${kind}s:customer:${customerId}`,
    byStatus: (status) => `${prefix}:${kind}s:status:${status}`,
    dedupe: (key) => `${prefix}:${kind}:key:${key}`,
  };
}

// Keys are built inside the scripts from the prefix: fine on a single Redis or Sentinel, which is what we run.
const CREATE_SCRIPT = `
local p, kind, idPrefix, body, customer, status, score, dedupe = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
if dedupe ~= '' then
  local existing = redis.call('GET', p .. ':' .. kind .. ':key:' .. dedupe)
  if existing then return {0, existing} end
end
local n = redis.call('INCR', p .. ':' .. kind .. ':seq')
local id = idPrefix .. '-' .. string.format('%06d', n)
local data = '{"id":"' .. id .. '",' .. string.sub(body, 2)
redis.call('HSET', p .. ':' .. kind .. ':' .. id, 'data', data, 'version', 1)
redis.call('ZADD', p .. ':' .. kind .. 's', score, id)
if customer ~= '' then redis.call('ZADD', p .. ':' .. kind .. 's:customer:' .. customer, score, id) end
redis.call('ZADD', p .. ':' .. kind .. 's:status:' .. status, score, id)
if dedupe ~= '' then redis.call('SET', p .. ':' .. kind .. ':key:' .. dedupe, id) end
for i = 9, #ARGV do redis.call('RPUSH', p .. ':' .. kind .. ':' .. id .. ':timeline', ARGV[i]) end
return {1, id}
`;

const UPDATE_SCRIPT = `
local p, kind, id, expected, data, oldStatus, newStatus, score, release = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local key = p .. ':' .. kind .. ':' .. id
local version = redis.call('HGET', key, 'version')
if not version then return -1 end
if version ~= expected then return 0 end
redis.call('HSET', key, 'data', data, 'version', tonumber(version) + 1)
if oldStatus ~= newStatus then
  redis.call('ZREM', p .. ':' .. kind .. 's:status:' .. oldStatus, id)
  redis.call('ZADD', p .. ':' .. kind .. 's:status:' .. newStatus, score, id)
end
if release ~= '' then
  local dedupeKey = p .. ':' .. kind .. ':key:' .. release
  if redis.call('GET', dedupeKey) == id then redis.call('DEL', dedupeKey) end
end
for i = 10, #ARGV do redis.call('RPUSH', key .. ':timeline', ARGV[i]) end
return 1
`;

const MAX_UPDATE_ATTEMPTS = 25;

export interface TicketRepositoryOptions {
  /** `incident` or `problem`: the key segment. */
  kind: string;
  /** `INC` or `PRB`: ids are `INC-000123`. */
  idPrefix: string;
  /** Statuses in which the dedupe key is held; moving to any other status releases it. */
  openStatuses: readonly string[];
}

export type TicketUpdate<T> = { record: T; timeline: TimelineEntry[] } | undefined;

export class TicketRepository<T extends TicketBase> {
  readonly keys: TicketKeys;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #options: TicketRepositoryOptions;

  constructor(redis: Redis, prefix: string, options: TicketRepositoryOptions) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#options = options;
    this.keys = ticketKeys(prefix, options.kind);
  }

  /**
   * Stores a new record and its first timeline entry, unless an open record holds the same `dedupeKey`:
   * then nothing is written and that record is returned with `created: false`.
   */
  async create(draft: Omit<T, 'id'>, firstEntry: TimelineEntry): Promise<{ record: T; created: boolean }> {
    const { id: _ignored, ...body } = draft as Omit<T, 'id'> & { id?: string };
    const reply = (await this.#redis.eval(
      CREATE_SCRIPT,
      0,
      this.#prefix,
      this.#options.kind,
      this.#options.idPrefix,
      JSON.stringify(body),
      draft.customerId ?? '',
      draft.status,
      String(Date.parse(draft.openedAt)),
      draft.dedupeKey ?? '',
      JSON.stringify(firstEntry),
    )) as [number, string];
    const record = await this.require(reply[1]);
    return { record, created: reply[0] === 1 };
  }

  async get(id: string): Promise<T | undefined> {
    const data = await this.#redis.hget(this.keys.record(id), 'data');
    return data === null ? undefined : (JSON.parse(data) as T);
  }

  async require(id: string): Promise<T> {
    const record = await this.get(id);
    if (record === undefined) {
      throw new AppError('not-found', `${this.#options.kind} ${id} does not exist; list them with \`redback ${this.#options.kind}s list\``);
    }
    return record;
  }

  async findOpenByDedupeKey(key: string): Promise<T | undefined> {
    const id = await this.#redis.get(this.keys.dedupe(key));
    return id === null ? undefined : await this.get(id);
  }

  /**
   * Reads the record, lets `mutate` compute the next version (or `undefined` for "nothing to change"), and
   * writes it only if nobody else wrote in between; otherwise reads again and re-applies `mutate`.
   */
  async update(id: string, mutate: (current: T) => TicketUpdate<T>): Promise<{ before: T; after: T; changed: boolean }> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const [data, version] = await this.#redis.hmget(this.keys.record(id), 'data', 'version');
      if (data === null || data === undefined || version === null || version === undefined) {
        throw new AppError('not-found', `${this.#options.kind} ${id} does not exist; list them with \`redback ${this.#options.kind}s list\``);
      }
      const before = JSON.parse(data) as T;
      const next = mutate(structuredClone(before));
      if (next === undefined) return { before, after: before, changed: false };
      const after = next.record;
      const releases = before.dedupeKey !== null && this.#options.openStatuses.includes(before.status) && !this.#options.openStatuses.includes(after.status);
      const reply = await this.#redis.eval(
        UPDATE_SCRIPT,
        0,
        this.#prefix,
        this.#options.kind,
        id,
        version,
        JSON.stringify(after),
        before.status,
        after.status,
        String(Date.parse(after.openedAt)),
        releases ? (before.dedupeKey as string) : '',
        ...next.timeline.map((entry) => JSON.stringify(entry)),
      );
      if (reply === 1) return { before, after, changed: true };
      if (reply === -1) throw new AppError('not-found', `${this.#options.kind} ${id} disappeared while it was being updated`);
    }
    throw new AppError('conflict', `${this.#options.kind} ${id} changed under ${MAX_UPDATE_ATTEMPTS} concurrent updates in a row; try again`);
  }

  /**
   * Newest first, by open time; filters by customer and/or status. Reads the index a page at a time and the records
   * of a page in one pipeline, so the cost follows `limit`, not the number of tickets ever opened.
   */
  async list(filter: TicketListFilter = {}): Promise<T[]> {
    const limit = filter.limit ?? 1000;
    if (filter.statuses !== undefined && filter.customerId === undefined) {
      const scored: Array<[string, number]> = [];
      for (const status of filter.statuses) {
        const reply = await this.#redis.zrevrange(this.keys.byStatus(status), 0, limit - 1, 'WITHSCORES');
        for (let i = 0; i < reply.length; i += 2) scored.push([reply[i] as string, Number(reply[i + 1])]);
      }
      const ids = scored.sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0])).map(([id]) => id);
      return (await this.#getMany(ids.slice(0, limit))).filter((r) => filter.statuses!.includes(r.status));
    }
    const key = filter.customerId === undefined ? this.keys.byTime : this.keys.byCustomer(filter.customerId);
    const records: T[] = [];
    const page = Math.max(limit, 50);
    for (let start = 0; records.length < limit; start += page) {
      const ids = await this.#redis.zrevrange(key, start, start + page - 1);
      for (const record of await this.#getMany(ids)) {
        if (filter.statuses !== undefined && !filter.statuses.includes(record.status)) continue;
        records.push(record);
        if (records.length >= limit) break;
      }
      if (ids.length < page) break;
    }
    return records;
  }

  async #getMany(ids: readonly string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    const replies = (await this.#redis.pipeline(ids.map((id) => ['hget', this.keys.record(id), 'data'])).exec()) ?? [];
    return replies.flatMap(([, data]) => (typeof data === 'string' ? [JSON.parse(data) as T] : []));
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    return (await this.#redis.lrange(this.keys.timeline(id), 0, -1)).map((raw) => JSON.parse(raw) as TimelineEntry);
  }
}
