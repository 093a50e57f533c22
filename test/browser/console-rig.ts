import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadConfig, type ResolvedConfig } from '../../src/config/index.js';
import type { Role } from '../../src/domain/approvals/index.js';
import { createHelpdesk, directoryFromConfig, RunEventConsumer } from '../../src/helpdesk/index.js';
import { startApi } from '../../src/interfaces/api/index.js';
import { FixedClock } from '../../src/platform/clock.js';
import { silentLogger } from '../../src/platform/logger.js';
import { createHostRunQueue } from '../../src/queue/index.js';
import { createAuditWriter, createRunnerExecutor, startScheduler, startWorkerRole, type OrchestrationContext } from '../../src/releases/index.js';
import { createToken, saveUser } from '../../src/store/index.js';
import { uniquePrefix } from '../support/orchestration/context.js';
import type { TestSshd } from '../support/sshd.js';

/**
 * The console's world for browser tests: customer acme (Europe/Amsterdam) with three hosts behind one real sshd
 * (web-01 and web-02 run Debian and pass, db-01 runs RHEL and its playbook fails), one window on 1 January 2030
 * 04:00-05:00 Amsterdam time that needs approval, and people with tokens: alice (engineer and approver, who
 * requests), bob (approver), ada (admin).
 */
export const BATCH = 'patch-night@20300101T030000Z';
export const BEFORE_WINDOW = '2030-01-01T01:30:00Z';
export const IN_WINDOW = '2030-01-01T03:00:05Z';

export async function writeConsoleConfig(prefix: string, sshd: TestSshd): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-console-'));
  const host = (id: string, os: string) =>
    `  - { id: ${id}, customer: acme, address: 127.0.0.1, port: ${sshd.port}, transport: ssh, os: ${os}, groups: [fleet], credentials: { user: ${sshd.user}, private_key: "file:keys/id_ed25519" }, ssh: { host_key: "${sshd.hostKeyFingerprint}" } }`;
  const files: Record<string, string> = {
    'redback.yaml': `redis:\n  prefix: ${prefix}\npolicies:\n  planner_lead_time: 1m\n  approvals:\n    required_approvers: 1\n    four_eyes: true\n`,
    'inventory/acme.yaml': `customers:
  - id: acme
    name: Acme Logistics B.V.
    timezone: Europe/Amsterdam
    contacts:
      - { name: Sanne de Vries, email: it-ops@acme.example }
    contract:
      business_hours: 24x7
      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
hosts:
${host('web-01', 'debian')}
${host('web-02', 'debian')}
${host('db-01', 'rhel')}
`,
    'playbooks/patch.yaml': `id: patch
kind: custom
os: debian
steps:
  - { name: refresh, run: "echo refreshing package lists; sleep 1; echo 3 packages can be upgraded" }
  - { name: upgrade, run: "echo upgrading openssl; sleep 1; echo openssl 3.0.15 installed" }
`,
    'playbooks/patch-rhel.yaml': `id: patch-rhel
kind: custom
os: rhel
steps:
  - { name: upgrade, run: "echo dnf upgrade; echo 'Error: transaction check failed' >&2; exit 1" }
`,
    'schedules/acme.yaml': `customer: acme
timezone: Europe/Amsterdam
windows:
  - id: patch-night
    cron: "0 4 1 1 *"
    duration: 1h
    cutoff: 30m
    lead_time: 3h
    targets: { groups: [fleet] }
    playbooks: [custom]
    approval: required
    rollout: { max_concurrency: 3 }
baselines:
  - id: acme-security
    classifications: [security]
    auto_approve_after_days: 7
`,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  await mkdir(join(dir, 'keys'));
  await writeFile(join(dir, 'keys/id_ed25519'), await readFile(sshd.keyPath), { mode: 0o600 });
  return dir;
}

export interface ConsoleWorld {
  config: ResolvedConfig;
  context: OrchestrationContext;
  clock: FixedClock;
  api: { app: FastifyInstance; url: string };
  tokens: Record<'alice' | 'bob' | 'ada', string>;
  /** Starts the scheduler's dispatch loop, a worker over the real SSH executor, and the helpdesk's event consumer. */
  startOrchestration(): void;
  close(): Promise<void>;
}

export async function startConsoleWorld(redisUrl: string, sshd: TestSshd): Promise<ConsoleWorld> {
  const prefix = uniquePrefix('console');
  const config = await loadConfig({ dir: await writeConsoleConfig(prefix, sshd), env: {} });
  const clock = new FixedClock(BEFORE_WINDOW);
  const logger = silentLogger();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = createHostRunQueue(redis, prefix);
  const context: OrchestrationContext = { config, redis, prefix, queue, clock, logger, audit: createAuditWriter(redis, prefix, logger), actor: 'system:scheduler' };
  const people: Array<[ 'alice' | 'bob' | 'ada', Role[], string[]]> = [
    ['alice', ['viewer', 'engineer', 'approver'], ['acme']],
    ['bob', ['viewer', 'approver'], ['acme']],
    ['ada', ['viewer', 'admin'], ['*']],
  ];
  const tokens = {} as ConsoleWorld['tokens'];
  for (const [name, roles, customers] of people) {
    await saveUser(redis, prefix, { name, roles, customers, createdAt: clock.now().toISOString(), createdBy: 'local-admin' });
    tokens[name] = (await createToken(redis, prefix, { user: name, label: 'browser test', createdBy: 'local-admin', now: clock.now() })).token;
  }
  const api = await startApi({ config, redis, logger, clock, listen: '127.0.0.1:0' });

  const stops: Array<() => Promise<void>> = [];
  return {
    config,
    context,
    clock,
    api,
    tokens,
    startOrchestration() {
      const scheduler = startScheduler(context, { dispatchIntervalMs: 200 });
      const worker = startWorkerRole(context, { executor: createRunnerExecutor(config, logger), concurrency: 3 });
      const helpdesk = createHelpdesk({ redis, prefix, directory: directoryFromConfig(config), clock });
      const consumer = new RunEventConsumer({ redis, prefix, consumerName: 'browser-test', escalation: helpdesk.escalation });
      consumer.start();
      stops.push(() => scheduler.stop(), () => worker.stop(), () => consumer.stop());
    },
    async close() {
      for (const stop of stops) await stop();
      await api.app.close();
      await context.audit.flush();
      await queue.close();
      await redis.quit();
    },
  };
}

/** Debian's Chromium, headless, with the flags this closed network needs and a fresh profile. */
export async function launchChromium(timezoneId: string): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'redback-chromium-'));
  return await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    timezoneId,
    locale: 'en-GB',
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
