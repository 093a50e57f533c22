import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { advisoryServices, approveEmergencyBatch, exposureRows, ingestDocument, refreshExposure, type AdvisoryServices } from '../../../src/advisories/index.js';
import { findHost, loadConfig, resolvePlaybook, type ResolvedConfig } from '../../../src/config/index.js';
import { createTransport } from '../../../src/execution/index.js';
import { compilePlaybook, runPlanOnHost } from '../../../src/execution/runner/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, createRunnerExecutor, dispatchBatch, principalByName, requestApproval, startWorkerRole, type OrchestrationContext, type RunningWorker } from '../../../src/releases/index.js';
import { getBatch, listBatches, ProblemRepository, readAudit, saveUser } from '../../../src/store/index.js';
import { uniquePrefix } from '../../support/orchestration/context.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { createAptSandbox, FIXTURE_PACKAGE, type AptSandbox } from '../playbooks/apt-sandbox.js';

/**
 * The "Done when": an OSV advisory for the apt fixture package rbu-fixture (fixed in 1.0-2) drives scan,
 * ingest, match, urgent, problem, preventive (emergency) batch, approval by a second engineer, the patch run over
 * SSH to the test sshd with real apt in the private root, re-scan, and the host no longer shows as exposed.
 * Customer acme's contract says critical within 72 h; its only window is on the 1st of each month, so on
 * 5 January 2030 the next window is too late and the batch goes into an emergency window.
 */
const NOW = '2030-01-05T10:00:00Z';
const DUE = '2030-01-08T10:00:00.000Z';

let sshd: TestSshd;
let sandbox: AptSandbox;
let config: ResolvedConfig;
let context: OrchestrationContext;
let services: AdvisoryServices;
let clock: FixedClock;
let redis: Redis;
let auditRedis: Redis;
let worker: RunningWorker | undefined;
let osvDocument: Buffer;

async function writeConfig(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-advisory-e2e-'));
  await mkdir(join(dir, 'inventory'));
  await mkdir(join(dir, 'schedules'));
  await mkdir(join(dir, 'playbooks'));
  await mkdir(join(dir, 'keys'));
  await writeFile(join(dir, 'keys/id_ed25519'), await readFile(sshd.keyPath), { mode: 0o600 });
  for (const playbook of ['debian-scan', 'debian-security-patch']) await copyFile(resolve(process.cwd(), `playbooks/${playbook}.yaml`), join(dir, `playbooks/${playbook}.yaml`));
  await writeFile(join(dir, 'redback.yaml'), `redis:\n  prefix: ${prefix}\npolicies:\n  urgency: { cvss_threshold: 9, kev_is_urgent: true, urgent_severities: [critical] }\n  approvals: { required_approvers: 1, four_eyes: true }\n`);
  await writeFile(
    join(dir, 'inventory/acme.yaml'),
    `customers:
  - id: acme
    name: Acme Logistics B.V.
    timezone: Europe/Amsterdam
    contract:
      business_hours: 24x7
      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
      emergency_patch: { critical: 72h, important: 7d }
hosts:
  - { id: deb-01, customer: acme, address: 127.0.0.1, port: ${sshd.port}, transport: ssh, os: debian, groups: [linux], credentials: { user: ${sshd.user}, private_key: "file:keys/id_ed25519" }, ssh: { host_key: "${sshd.hostKeyFingerprint}" } }
`,
  );
  await writeFile(
    join(dir, 'schedules/acme.yaml'),
    `customer: acme
windows:
  - id: acme-monthly
    cron: "0 2 1 * *"
    duration: 3h
    cutoff: 30m
    targets: { groups: [linux] }
    playbooks: [security-patch]
    params: { apt_config: "${sandbox.aptConfig}", dpkg_root: "${sandbox.root}" }
    approval: required
`,
  );
  return dir;
}

/** The scan playbook over SSH; its result becomes the host's stored inventory (what `redback run scan` does). */
async function scanAndStore(): Promise<void> {
  const host = findHost(config, 'deb-01')!;
  const playbook = resolvePlaybook(config, 'debian-scan', 'debian')!;
  const windowParams = config.windows[0]!.params;
  const plan = compilePlaybook(playbook, { params: Object.fromEntries(Object.entries(windowParams).filter(([name]) => name in playbook.params)) });
  const result = await runPlanOnHost(plan, createTransport(host, { configDir: config.dir, hosts: config.hosts, logger: silentLogger() }));
  expect(result.status, result.message ?? '').toBe('ok');
  expect(await services.inventory.save({ hostId: 'deb-01', ...result.scan! })).toBe(true);
}

function osvAdvisory(ecosystem: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      schema_version: '1.6.0',
      id: 'RBU-2030-0001',
      modified: '2030-01-04T12:00:00Z',
      published: '2030-01-04T12:00:00Z',
      aliases: ['CVE-2030-0001'],
      summary: 'rbu-fixture: remote code execution in the fixture package',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [{ package: { ecosystem, name: FIXTURE_PACKAGE }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }],
    }),
  );
}

beforeAll(async () => {
  sshd = await startTestSshd({ sudo: true });
  sandbox = await createAptSandbox();
  const v1 = await sandbox.buildPackage('1.0-1');
  const v2 = await sandbox.buildPackage('1.0-2');
  await sandbox.installDirectly(v1);
  await sandbox.publish([v1, v2]);
  const prefix = uniquePrefix('advisory-e2e');
  config = await loadConfig({ dir: await writeConfig(prefix), env: {} });
  clock = new FixedClock(NOW);
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  auditRedis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const logger = silentLogger();
  context = { config, redis, prefix, queue: createHostRunQueue(redis, prefix), clock, logger, audit: createAuditWriter(auditRedis, prefix, logger), actor: 'system:advisories' };
  services = advisoryServices(context);
  for (const [name, roles] of [['alice', ['engineer']], ['bob', ['engineer', 'approver']]] as const) {
    await saveUser(redis, prefix, { name, roles: [...roles], customers: ['acme'], createdAt: NOW, createdBy: 'local-admin' });
  }
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await context?.audit.flush();
  await context?.queue.close();
  await redis?.quit();
  await auditRedis?.quit();
  await sandbox?.dispose();
  await sshd?.dispose();
});

describe('urgent advisory end to end: scan, ingest, match, problem, emergency batch, second engineer, patch over SSH, re-scan', () => {
  let batchId: string;

  it('scan: the stored inventory shows rbu-fixture 1.0-1', async () => {
    await scanAndStore();
    const scan = await services.inventory.lastScan('deb-01');
    expect(scan?.packages).toEqual([{ name: FIXTURE_PACKAGE, version: '1.0-1', arch: 'all', source: FIXTURE_PACKAGE }]);
    expect(scan?.os.id).toBe('debian');
    const major = (scan?.os.version ?? '').split('.')[0];
    osvDocument = osvAdvisory(`Debian:${major}`);
  }, 180_000);

  it('ingest + match: stored, the host is exposed (installed 1.0-1, fixed 1.0-2), urgent by CVSS 9.8', async () => {
    const result = await ingestDocument(services, { source: 'RBU-2030-0001.json', bytes: osvDocument, fileName: 'RBU-2030-0001.json' }, { actor: 'alice' });
    expect(result).toMatchObject({ source: 'RBU-2030-0001.json', status: 'stored', revision: '2030-01-04T12:00:00Z', errors: [] });
    const exposure = await services.store.exposure(result.id!);
    expect(exposure?.affected).toEqual([{ hostId: 'deb-01', customerId: 'acme', packageName: FIXTURE_PACKAGE, arch: 'all', installedVersion: '1.0-1', fixedVersion: '1.0-2', vulnerabilityIds: ['RBU-2030-0001'] }]);
    expect(exposure?.remediation).toEqual([{ packageName: FIXTURE_PACKAGE, arch: 'all', fixedVersion: '1.0-2', hostIds: ['deb-01'] }]);
    expect(exposure?.urgent).toBe(true);
    expect(exposure?.severity).toBe('critical');
    expect(exposure?.urgencyReasons).toEqual(['CVSS 9.8 >= threshold 9']);
    expect((await exposureRows(services.store, { customerId: 'acme' })).map((r) => [r.hostId, r.trackingId, r.installedVersion, r.fixedVersion])).toEqual([['deb-01', 'RBU-2030-0001', '1.0-1', '1.0-2']]);
  }, 60_000);

  it('urgent: one problem (source vendor, linked advisory, exposed host, effort) and one emergency batch with exactly rbu-fixture on exactly deb-01, due within 72 h', async () => {
    const problems = await new ProblemRepository(redis, context.prefix).list();
    expect(problems).toHaveLength(1);
    const problem = problems[0]!;
    expect(problem).toMatchObject({ source: 'vendor', customerId: 'acme', category: 'security-advisory', status: 'new', urgency: 'high' });
    expect(problem.effort).toEqual({ people: 1, means: 'security-patch playbook through a preventive release batch', hours: 0.75 });
    expect(problem.trigger?.rule).toBe('vendor-advisory');
    expect(problem.trigger?.detail).toMatchObject({ trackingId: 'RBU-2030-0001', hosts: ['deb-01'], packages: [FIXTURE_PACKAGE], dueAt: DUE });

    const batches = await listBatches(redis, context.prefix);
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    batchId = batch.id;
    expect(batch.id).toMatch(/^emergency-acme@20300105T100000Z\+rbu-2030-0001\.[0-9a-f]{8}-[0-9a-f]{6}$/);
    expect(batch).toMatchObject({ status: 'awaiting-approval', customerId: 'acme', hostIds: ['deb-01'], playbooks: ['security-patch'], approval: 'required', windowStart: '2030-01-05T10:00:00.000Z', windowEnd: DUE });
    expect(batch.params.packages).toEqual([{ name: FIXTURE_PACKAGE }]);
    expect(Date.parse(batch.cutoffAt)).toBeLessThan(Date.parse(DUE));
  });

  it('idempotent: ingesting the same advisory again, and re-matching, create nothing twice', async () => {
    const again = await ingestDocument(services, { source: 'RBU-2030-0001.json', bytes: osvDocument }, { actor: 'alice' });
    expect(again.status).toBe('ignored-older');
    await refreshExposure(services, 'system:advisories');
    expect(await new ProblemRepository(redis, context.prefix).list()).toHaveLength(1);
    expect((await listBatches(redis, context.prefix)).map((b) => b.id)).toEqual([batchId]);
    const actions = (await readAudit(redis, context.prefix)).map((e) => e.action);
    expect(actions.filter((a) => a === 'advisory.stored')).toHaveLength(1);
    expect(actions.filter((a) => a === 'advisory.ignored')).toHaveLength(1);
    expect(actions.filter((a) => a === 'advisory.preventive')).toHaveLength(1);
  });

  it('approval: an engineer accepts, the same engineer may not approve, a second engineer approves with a reason', async () => {
    const alice = await principalByName(redis, context.prefix, 'alice');
    const bob = await principalByName(redis, context.prefix, 'bob');
    await expect(approveEmergencyBatch(context, batchId, bob, 'critical RCE')).rejects.toThrow(/must first accept it/);
    await requestApproval({ ...context, actor: 'alice' }, batchId, alice, 'critical advisory, emergency window');
    await expect(approveEmergencyBatch(context, batchId, alice, 'I want it')).rejects.toThrow(/a second engineer must approve/);
    await approveEmergencyBatch(context, batchId, bob, 'critical RCE on an internet-facing host');
    expect((await getBatch(redis, context.prefix, batchId))?.status).toBe('approved');
    const audit = await readAudit(redis, context.prefix);
    expect(audit.find((e) => e.action === 'approval.second-engineer')).toMatchObject({ actor: 'bob', subject: `batch/${batchId}`, reason: 'critical RCE on an internet-facing host' });
    expect(audit.find((e) => e.action === 'approval.refused')).toMatchObject({ actor: 'alice' });
  });

  it('patch run: the batch runs security-patch over SSH with real apt in the private root and succeeds; 1.0-2 is installed', async () => {
    worker = startWorkerRole(context, { executor: createRunnerExecutor(config, context.logger), concurrency: 1 });
    let status = (await getBatch(redis, context.prefix, batchId))?.status;
    for (let i = 0; i < 600 && !['succeeded', 'failed', 'partially-failed', 'halted', 'expired', 'cancelled'].includes(status ?? ''); i += 1) {
      await dispatchBatch(context, batchId);
      await new Promise((r) => setTimeout(r, 500));
      status = (await getBatch(redis, context.prefix, batchId))?.status;
    }
    expect(status).toBe('succeeded');
    expect(await sandbox.installedVersion()).toBe('1.0-2 (install ok installed)');
  }, 400_000);

  it('re-scan: the inventory says 1.0-2 and the host no longer shows as exposed', async () => {
    await scanAndStore();
    expect((await services.inventory.lastScan('deb-01'))?.packages).toEqual([{ name: FIXTURE_PACKAGE, version: '1.0-2', arch: 'all', source: FIXTURE_PACKAGE }]);
    const [exposure] = await refreshExposure(services, 'system:advisories');
    expect(exposure?.affected).toEqual([]);
    expect(await exposureRows(services.store, { customerId: 'acme' })).toEqual([]);
    expect(await listBatches(redis, context.prefix)).toHaveLength(1);
  }, 180_000);
});
