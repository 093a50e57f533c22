import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { runScript } from './lua.js';

/**
 * Vendor advisories in Redis: one record per document identity (publisher + tracking id), holding the summary,
 * the normalised model and the raw document. A newer revision replaces the stored one and an older one is refused
 * by the caller's decision; the write itself is one Lua script that checks the stored revision is still the one
 * the decision was made against, so two ingesters racing on one advisory never interleave and a reader never sees
 * a summary of one revision beside the model of another. Exposure (the match against the host inventory) is stored
 * per advisory and per customer, and replaced as a whole on every re-match.
 *
 * The store knows nothing of CSAF or OSV: the model is opaque JSON here (the advisories layer owns its type).
 */
export interface AdvisoryIdentityRef {
  publisher: string;
  trackingId: string;
}

export interface AdvisorySummary {
  /** Storage id: the tracking id as a CSAF file name stem plus a hash of the full identity; never contains `:`. */
  id: string;
  identity: AdvisoryIdentityRef;
  format: string;
  revision: { version: string; releasedAt: string; status: string };
  title: string;
  severityText: string | null;
  cves: string[];
  /** Where the stored copy came from (file path, URL, `api`). */
  source: string;
  storedAt: string;
  storedBy: string;
  /** How many revisions were stored for this identity (1 = first). */
  revisionsStored: number;
}

export interface StoredAdvisory<M = unknown> {
  summary: AdvisorySummary;
  model: M;
  raw: string;
}

/** One exposed host package, as the matcher found it. */
export interface ExposureEntry {
  hostId: string;
  customerId: string | null;
  packageName: string;
  arch: string | null;
  installedVersion: string;
  fixedVersion: string | null;
  vulnerabilityIds: string[];
}

export interface ReviewEntry {
  hostId: string | null;
  customerId: string | null;
  packageName: string | null;
  productId: string | null;
  vulnerabilityIds: string[];
  reason: string;
}

export interface RemediationEntry {
  packageName: string;
  arch: string | null;
  fixedVersion: string;
  hostIds: string[];
}

export interface AdvisoryExposure {
  advisoryId: string;
  matchedAt: string;
  /** The revision the match was made for. */
  revision: string;
  /** The decision under the default policy (redback.yaml `policies.urgency`). */
  urgent: boolean;
  urgencyReasons: string[];
  /**
   * The decision for each customer with exposed or to-review hosts, under that customer's effective policy
   * (`contract.urgency` over the default); this is what acts. Absent in exposures stored before it existed.
   */
  customerUrgency?: Record<string, CustomerUrgencyDecision>;
  /** critical | important | moderate | low, or null when nothing says. */
  severity: string | null;
  maxCvss: number | null;
  affected: ExposureEntry[];
  needsReview: ReviewEntry[];
  remediation: RemediationEntry[];
}

export interface CustomerUrgencyDecision {
  urgent: boolean;
  reasons: string[];
  /** The redback.yaml keys the customer's contract overrides (empty: the default policy decided). */
  overridden: string[];
}

/** Whether the advisory is urgent for this customer: its own decision, else (older records) the default one. */
export function urgentFor(exposure: Pick<AdvisoryExposure, 'urgent' | 'urgencyReasons' | 'customerUrgency'>, customerId: string): CustomerUrgencyDecision {
  return exposure.customerUrgency?.[customerId] ?? { urgent: exposure.urgent, reasons: exposure.urgencyReasons, overridden: [] };
}

/** What was done about an advisory for one customer, so that ingesting it again creates nothing twice. */
export interface AdvisoryActions {
  advisoryId: string;
  customerId: string;
  problemId: string | null;
  /** Batches created for it, with the host/package pairs each covers. */
  batches: Array<{ batchId: string; emergency: boolean; hostIds: string[]; packages: string[] }>;
  /** `hostId/package` pairs already planned (in a preventive batch or as an available update). */
  covered: string[];
  updatedAt: string;
}

const advisoryKeys = (prefix: string) => ({
  record: (id: string) => `${prefix}:advisory:${id}`,
  exposure: (id: string) => `${prefix}:advisory:${id}:exposure`,
  actions: (id: string) => `${prefix}:advisory:${id}:actions`,
  byTime: `${prefix}:advisories`,
  byTrackingId: `${prefix}:advisories:tracking-ids`,
  customerExposure: (customerId: string) => `${prefix}:exposure:customer:${customerId}`,
  exposedCustomers: `${prefix}:exposure:customers`,
  kev: `${prefix}:kev`,
  kevMeta: `${prefix}:kev:meta`,
});

/** `RHSA-2024:3666` from `https://www.redhat.com` -> `rhsa-2024_3666.5e1f0c2a` (CSAF §5.1 stem + 8 hex of the identity). */
export function advisoryStorageId(identity: AdvisoryIdentityRef): string {
  const stem = identity.trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(`${identity.publisher} ${identity.trackingId}`).digest('hex').slice(0, 8);
  return `${stem}.${hash}`;
}

// KEYS: record, by-time zset, by-tracking-id hash. ARGV: expected stored revision JSON ('' = none), summary JSON,
// model JSON, raw, revision JSON, score, id, tracking id (lower case).
const STORE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'revision')
if (current or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'summary', ARGV[2], 'model', ARGV[3], 'raw', ARGV[4], 'revision', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
local ids = cjson.decode(redis.call('HGET', KEYS[3], ARGV[8]) or '[]')
local seen = false
for _, v in ipairs(ids) do if v == ARGV[7] then seen = true end end
if not seen then table.insert(ids, ARGV[7]) redis.call('HSET', KEYS[3], ARGV[8], cjson.encode(ids)) end
return 1
`;

export interface AdvisoryStore {
  /** The stored revision of an identity, or undefined. */
  storedRevision(id: string): Promise<AdvisorySummary['revision'] | undefined>;
  /**
   * Stores the advisory if the stored revision is still `expected` (undefined = nothing stored); false when another
   * writer changed it in between (decide again and retry).
   */
  put(expected: AdvisorySummary['revision'] | undefined, advisory: StoredAdvisory): Promise<boolean>;
  get<M>(id: string): Promise<StoredAdvisory<M> | undefined>;
  summary(id: string): Promise<AdvisorySummary | undefined>;
  /** Newest release first. */
  list(limit?: number): Promise<AdvisorySummary[]>;
  /** Storage ids, or a tracking id (any case) that names one or more of them. */
  resolve(idOrTrackingId: string): Promise<string[]>;
  saveExposure(exposure: AdvisoryExposure, customerIds: readonly string[]): Promise<void>;
  exposure(id: string): Promise<AdvisoryExposure | undefined>;
  /** Per customer: advisory id -> that customer's exposed entries. */
  customerExposure(customerId: string): Promise<Map<string, ExposureEntry[]>>;
  exposedCustomers(): Promise<string[]>;
  actions(id: string, customerId: string): Promise<AdvisoryActions | undefined>;
  saveActions(actions: AdvisoryActions): Promise<void>;
  /** The CISA KEV catalog, by CVE id (entries as given). */
  saveKev(version: string, entries: ReadonlyMap<string, unknown>): Promise<void>;
  kevEntries(cves: readonly string[]): Promise<Map<string, unknown>>;
  kevVersion(): Promise<string | undefined>;
}

export function createAdvisoryStore(redis: Redis, prefix: string): AdvisoryStore {
  const keys = advisoryKeys(prefix);
  const store: AdvisoryStore = {
    async storedRevision(id) {
      const raw = await redis.hget(keys.record(id), 'revision');
      return raw === null ? undefined : (JSON.parse(raw) as AdvisorySummary['revision']);
    },

    async put(expected, advisory) {
      const { summary } = advisory;
      if (summary.id.includes(':')) throw new AppError('internal', `advisory id ${JSON.stringify(summary.id)} contains ":"`);
      const score = Date.parse(summary.revision.releasedAt);
      const reply = await runScript(redis, STORE_SCRIPT, [keys.record(summary.id), keys.byTime, keys.byTrackingId], [
        expected === undefined ? '' : JSON.stringify(expected),
        JSON.stringify(summary),
        JSON.stringify(advisory.model),
        advisory.raw,
        JSON.stringify(summary.revision),
        String(Number.isNaN(score) ? 0 : score),
        summary.id,
        summary.identity.trackingId.toLowerCase(),
      ]);
      return reply === 1;
    },

    async get<M>(id: string) {
      const [summary, model, raw] = await redis.hmget(keys.record(id), 'summary', 'model', 'raw');
      if (summary === null || summary === undefined || model === null || model === undefined) return undefined;
      return { summary: JSON.parse(summary) as AdvisorySummary, model: JSON.parse(model) as M, raw: raw ?? '' };
    },

    async summary(id) {
      const raw = await redis.hget(keys.record(id), 'summary');
      return raw === null ? undefined : (JSON.parse(raw) as AdvisorySummary);
    },

    async list(limit = 1000) {
      const ids = await redis.zrevrange(keys.byTime, 0, limit - 1);
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(keys.record(id), 'summary');
      const replies = (await pipeline.exec()) ?? [];
      return replies.flatMap(([, value]) => (typeof value === 'string' ? [JSON.parse(value) as AdvisorySummary] : []));
    },

    async resolve(idOrTrackingId) {
      if ((await redis.exists(keys.record(idOrTrackingId))) === 1) return [idOrTrackingId];
      const raw = await redis.hget(keys.byTrackingId, idOrTrackingId.toLowerCase());
      return raw === null ? [] : (JSON.parse(raw) as string[]);
    },

    async saveExposure(exposure, customerIds) {
      const before = await store.exposure(exposure.advisoryId);
      const multi = redis.multi().set(keys.exposure(exposure.advisoryId), JSON.stringify(exposure));
      const byCustomer = new Map<string, ExposureEntry[]>();
      for (const entry of exposure.affected) {
        if (entry.customerId === null) continue;
        byCustomer.set(entry.customerId, [...(byCustomer.get(entry.customerId) ?? []), entry]);
      }
      const touched = new Set([...customerIds, ...(before?.affected ?? []).flatMap((e) => (e.customerId === null ? [] : [e.customerId]))]);
      for (const customerId of touched) {
        const entries = byCustomer.get(customerId);
        if (entries === undefined) multi.hdel(keys.customerExposure(customerId), exposure.advisoryId);
        else multi.hset(keys.customerExposure(customerId), exposure.advisoryId, JSON.stringify(entries)).sadd(keys.exposedCustomers, customerId);
      }
      await multi.exec();
    },

    async exposure(id) {
      const raw = await redis.get(keys.exposure(id));
      return raw === null ? undefined : (JSON.parse(raw) as AdvisoryExposure);
    },

    async customerExposure(customerId) {
      const entries = await redis.hgetall(keys.customerExposure(customerId));
      return new Map(Object.entries(entries).map(([id, raw]) => [id, JSON.parse(raw) as ExposureEntry[]]));
    },

    async exposedCustomers() {
      return (await redis.smembers(keys.exposedCustomers)).sort();
    },

    async actions(id, customerId) {
      const raw = await redis.hget(keys.actions(id), customerId);
      return raw === null ? undefined : (JSON.parse(raw) as AdvisoryActions);
    },

    async saveActions(actions) {
      await redis.hset(keys.actions(actions.advisoryId), actions.customerId, JSON.stringify(actions));
    },

    async saveKev(version, entries) {
      const pairs = [...entries].flatMap(([cve, entry]) => [cve, JSON.stringify(entry)]);
      const multi = redis.multi().del(keys.kev);
      if (pairs.length > 0) multi.hset(keys.kev, ...pairs);
      await multi.set(keys.kevMeta, version).exec();
    },

    async kevEntries(cves) {
      const result = new Map<string, unknown>();
      if (cves.length === 0) return result;
      const values = await redis.hmget(keys.kev, ...cves);
      cves.forEach((cve, i) => {
        const raw = values[i];
        if (raw !== null && raw !== undefined) result.set(cve, JSON.parse(raw));
      });
      return result;
    },

    async kevVersion() {
      return (await redis.get(keys.kevMeta)) ?? undefined;
    },
  };
  return store;
}
