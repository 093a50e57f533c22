import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../../src/config/index.js';
import type { Role } from '../../../src/domain/approvals/index.js';
import type { AvailableUpdate } from '../../../src/domain/baselines/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, principalByName, type OrchestrationContext } from '../../../src/releases/index.js';
import { saveHostUpdateScan, saveUser } from '../../../src/store/index.js';
import { uniquePrefix } from '../../support/orchestration/context.js';
import { writeFleetConfig } from '../../support/orchestration/fleet-config.js';

/**
 * A release-management fixture over the orchestration fleet: customer acme with hosts h-01, h-02 (group fleet),
 * one window `fleet` on 2030-01-01 03:00-04:00 UTC, cutoff 30 min, approval required, planned 2 h ahead, and a
 * baseline that takes security updates only. People: alice (engineer and approver, the requester), bob and carol (approvers for acme),
 * dave (engineer only), frank (approver for globex).
 */
export const BATCH = 'fleet@20300101T030000Z';
export const BEFORE_WINDOW = '2030-01-01T02:00:00Z';
export const IN_WINDOW = '2030-01-01T03:00:10Z';
export const AFTER_CUTOFF = '2030-01-01T03:30:00Z';

export interface ReleaseFixture {
  context: OrchestrationContext;
  clock: FixedClock;
  configDir: string;
  redisUrl: string;
  as(name: string): ReturnType<typeof principalByName>;
  scan(hostId: string, updates: AvailableUpdate[]): Promise<void>;
  close(): Promise<void>;
}

export function update(name: string, to: string, overrides: Partial<AvailableUpdate> = {}): AvailableUpdate {
  return { name, arch: 'amd64', from: '1.0', to, classification: 'security', severity: 'important', releasedAt: '2029-12-01T00:00:00Z', revisedAt: null, ...overrides };
}

export async function releaseFixture(redisUrl: string, label: string, options: { requiredApprovers?: number } = {}): Promise<ReleaseFixture> {
  const prefix = uniquePrefix(label);
  const configDir = await writeFleetConfig({ prefix, hosts: 2, approval: 'required', duration: '1h', cutoff: '30m', leadTime: '2h', rolloutYaml: '{ max_concurrency: 2 }' });
  await writeFile(join(configDir, 'redback.yaml'), `redis:\n  prefix: ${prefix}\npolicies:\n  planner_lead_time: 1m\n  approvals:\n    required_approvers: ${options.requiredApprovers ?? 1}\n    four_eyes: true\n`);
  await appendFile(join(configDir, 'schedules/fleet.yaml'), `baselines:\n  - id: acme-security\n    classifications: [security]\n    auto_approve_after_days: 7\n`);
  const config = await loadConfig({ dir: configDir });
  const clock = new FixedClock(BEFORE_WINDOW);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const auditRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = silentLogger();
  const queue = createHostRunQueue(redis, prefix);
  const audit = createAuditWriter(auditRedis, prefix, logger);
  const context: OrchestrationContext = { config, redis, prefix, queue, clock, logger, audit, actor: 'system:scheduler' };
  const people: Array<[string, Role[], string[]]> = [
    ['alice', ['engineer', 'approver'], ['acme']],
    ['bob', ['engineer', 'approver'], ['acme']],
    ['carol', ['approver'], ['*']],
    ['dave', ['engineer'], ['acme']],
    ['frank', ['approver'], ['globex']],
  ];
  for (const [name, roles, customers] of people) await saveUser(redis, prefix, { name, roles, customers, createdAt: clock.now().toISOString(), createdBy: 'local-admin' });
  return {
    context,
    clock,
    configDir,
    redisUrl,
    as: (name) => principalByName(redis, prefix, name),
    scan: (hostId, updates) => saveHostUpdateScan(redis, prefix, { hostId, scannedAt: clock.now().toISOString(), updates }),
    async close() {
      await audit.flush();
      await queue.close();
      await redis.quit();
      await auditRedis.quit();
    },
  };
}
