import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { advisoryServices, type AdvisoryServices } from '../../../src/advisories/index.js';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, type OrchestrationContext } from '../../../src/releases/index.js';
import { createHostInventoryStore, saveUser, type HostInventory } from '../../../src/store/index.js';
import { writeConfigDir } from '../../support/config-dir.js';
import { uniquePrefix } from '../../support/orchestration/context.js';

/**
 * A real-Redis rig for advisory tests without SSH: customers acme and beta with one local Debian 12 host each
 * (acme-01, beta-01), each in a window on Sundays 02:00-05:00 UTC (or `windowCron`); acme's contract has `urgency` (given per test) and
 * `emergency_patch`; the hosts' scans are stored the way the workers store them; users alice (engineer), bob
 * (engineer, approver) and victor (viewer).
 */
export const SLA = `      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
`;

const customerFile = (id: string, contractExtra: string) => `customers:
  - id: ${id}
    name: ${id}
    timezone: UTC
    contract:
      business_hours: 24x7
${SLA}${contractExtra}hosts:
  - { id: ${id}-01, customer: ${id}, address: localhost, transport: local, os: debian, groups: [${id}-linux] }
`;

const scheduleFile = (id: string, cron: string) => `customer: ${id}
windows:
  - id: ${id}-weekly
    cron: "${cron}"
    duration: 3h
    targets: { groups: [${id}-linux] }
    playbooks: [security-patch]
    approval: required
`;

const PLAYBOOK = readFileSync(resolve(process.cwd(), 'playbooks/debian-security-patch.yaml'), 'utf8');

export interface AdvisoryRig {
  config: ResolvedConfig;
  configDir: string;
  context: OrchestrationContext;
  services: AdvisoryServices;
  clock: FixedClock;
  redis: Redis;
  close(): Promise<void>;
}

export async function advisoryRig(options: { redisUrl: string; label: string; now: string; acmeContract: string; betaContract?: string; windowCron?: string }): Promise<AdvisoryRig> {
  const prefix = uniquePrefix(options.label);
  const configDir = await writeConfigDir({
    'redback.yaml': `redis:\n  prefix: ${prefix}\npolicies:\n  urgency: { cvss_threshold: 9, kev_is_urgent: true, urgent_severities: [critical] }\n`,
    'inventory/acme.yaml': customerFile('acme', options.acmeContract),
    'inventory/beta.yaml': customerFile('beta', options.betaContract ?? ''),
    'schedules/acme.yaml': scheduleFile('acme', options.windowCron ?? '0 2 * * 0'),
    'schedules/beta.yaml': scheduleFile('beta', options.windowCron ?? '0 2 * * 0'),
    'playbooks/debian-update.yaml': null,
    'playbooks/debian-security-patch.yaml': PLAYBOOK,
  });
  const config = await loadConfig({ dir: configDir, env: {} });
  const clock = new FixedClock(options.now);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const auditRedis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const logger = silentLogger();
  const context: OrchestrationContext = { config, redis, prefix, queue: createHostRunQueue(redis, prefix), clock, logger, audit: createAuditWriter(auditRedis, prefix, logger), actor: 'system:advisories' };
  for (const [name, roles] of [['alice', ['engineer']], ['bob', ['engineer', 'approver']], ['victor', ['viewer']]] as const) {
    await saveUser(redis, prefix, { name, roles: [...roles], customers: ['acme', 'beta'], createdAt: options.now, createdBy: 'local-admin' });
  }
  const inventory = createHostInventoryStore(redis, prefix);
  const scan = (hostId: string): HostInventory => ({
    hostId,
    scannedAt: options.now,
    os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
    kernel: '6.1.0-28-amd64',
    arch: 'x86_64',
    bootTime: null,
    held: [],
    packages: [{ name: 'libexample1', version: '1.0-1', arch: 'amd64', source: 'example' }],
  });
  for (const hostId of ['acme-01', 'beta-01']) await inventory.save(scan(hostId));
  return {
    config,
    configDir,
    context,
    services: advisoryServices(context),
    clock,
    redis,
    async close() {
      await context.audit.flush();
      await context.queue.close();
      await redis.quit();
      await auditRedis.quit();
    },
  };
}

/** An OSV record for source package `example` on Debian 12, fixed in 1.0-2, with the given CVSS 3.1 vector. */
export function exampleOsv(id: string, vector: string, modified = '2029-12-31T12:00:00Z'): Buffer {
  return Buffer.from(
    JSON.stringify({
      schema_version: '1.6.0',
      id,
      modified,
      published: modified,
      aliases: [id.replace(/^RBU/, 'CVE')],
      summary: `example: flaw ${id}`,
      severity: [{ type: 'CVSS_V3', score: vector }],
      affected: [{ package: { ecosystem: 'Debian:12', name: 'example' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }],
    }),
  );
}

/** CVSS 3.1 vectors: 7.5 (important) and 9.8 (critical). */
export const CVSS_7_5 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
export const CVSS_9_8 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
