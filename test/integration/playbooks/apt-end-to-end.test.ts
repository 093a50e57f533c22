import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { playbookSchema } from '../../../src/config/index.js';
import { compilePlaybook, runPlanOnHost, type HostRunResult } from '../../../src/execution/runner/index.js';
import { SshTransport } from '../../../src/execution/ssh/index.js';
import { createHostInventoryStore, type HostInventoryStore } from '../../../src/store/index.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { createAptSandbox, FIXTURE_PACKAGE, type AptSandbox } from './apt-sandbox.js';

/**
 * The shipped Debian playbooks, unmodified, over a real SSH connection to a real sshd, driving real apt and dpkg
 * in a private root (their `apt_config` and `dpkg_root` parameters). The machine's own packages are untouched.
 */
let sshd: TestSshd;
let sandbox: AptSandbox;
let debs: { v1: string; v2: string; failing: string };
const results: Record<string, HostRunResult> = {};
let redis: Redis;
let inventory: HostInventoryStore;

async function shippedPlaybook(id: string) {
  const file = `playbooks/${id}.yaml`;
  const raw: unknown = parse(await readFile(resolve(process.cwd(), file), 'utf8'));
  return { ...playbookSchema.parse(raw), file };
}

async function runShipped(id: string, options: { checkMode?: boolean; packages?: Array<{ name: string }> } = {}): Promise<HostRunResult> {
  const playbook = await shippedPlaybook(id);
  const params: Record<string, unknown> = { apt_config: sandbox.aptConfig, dpkg_root: sandbox.root };
  if (options.packages !== undefined) params.packages = options.packages;
  const plan = compilePlaybook(playbook, { params, checkMode: options.checkMode ?? false });
  const transport = new SshTransport({
    hostId: 'apt-sandbox',
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: await readFile(sshd.keyPath),
    hostKey: { fingerprint: sshd.hostKeyFingerprint },
  });
  return await runPlanOnHost(plan, transport);
}

function commandNamed(result: HostRunResult, name: string) {
  const command = result.commands.find((c) => c.name === name);
  expect(command, `command "${name}" in ${result.commands.map((c) => c.name).join(', ')}`).toBeDefined();
  return command as NonNullable<typeof command>;
}

/** What a scan run does after success: the result becomes the host's stored inventory (real Redis). */
async function storeScan(result: HostRunResult): Promise<void> {
  expect(result.scan).toBeDefined();
  expect(await inventory.save({ hostId: result.hostId, ...(result.scan as NonNullable<HostRunResult['scan']>) })).toBe(true);
}

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  inventory = createHostInventoryStore(redis, `test-apt-e2e-${randomUUID()}`);
  sshd = await startTestSshd({ sudo: true });
  sandbox = await createAptSandbox();
  debs = {
    v1: await sandbox.buildPackage('1.0-1'),
    v2: await sandbox.buildPackage('1.0-2'),
    failing: await sandbox.buildPackage('1.0-3', { failingPostinst: true }),
  };
  await sandbox.installDirectly(debs.v1);
  await sandbox.publish([debs.v1, debs.v2]);
}, 120_000);

afterAll(async () => {
  const out = process.env.REDBACK_PLAYBOOK_E2E_OUT;
  if (out !== undefined && out !== '') await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  await sandbox?.dispose();
  await sshd?.dispose();
  await redis?.quit();
});

describe('shipped Debian playbooks with real apt and dpkg over SSH', () => {
  it('scan sees rbu-fixture 1.0-1 with its architecture and source package, and the OS facts', async () => {
    const result = await runShipped('debian-scan');
    results.scan = result;
    expect(result.status).toBe('ok');
    expect(result.scan?.packages).toEqual([{ name: FIXTURE_PACKAGE, version: '1.0-1', arch: 'all', source: FIXTURE_PACKAGE }]);
    expect(result.scan?.os.id).toBe('debian');
    expect(result.scan?.kernel).toMatch(/^\d+\.\d+/);
    expect(result.scan?.bootTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await storeScan(result);
    expect(await inventory.lastScan('apt-sandbox')).toEqual({ hostId: 'apt-sandbox', ...result.scan });
    expect(await inventory.hostsWithPackage(FIXTURE_PACKAGE)).toEqual([{ hostId: 'apt-sandbox', installed: [{ version: '1.0-1', arch: 'all', source: FIXTURE_PACKAGE }] }]);
  }, 120_000);

  it('security-patch in check mode reports the planned 1.0-1 -> 1.0-2 and changes nothing', async () => {
    const result = await runShipped('debian-security-patch', { checkMode: true, packages: [{ name: FIXTURE_PACKAGE }] });
    results.checkMode = result;
    expect(result.checkMode).toBe(true);
    expect(result.plannedChanges).toEqual([{ name: FIXTURE_PACKAGE, before: '1.0-1', after: '1.0-2' }]);
    expect(result.packagesChanged).toEqual([]);
    expect(result.status).toBe('changed');
    expect(await sandbox.installedVersion()).toBe('1.0-1 (install ok installed)');
  }, 180_000);

  it('security-patch for real installs 1.0-2 and reports the change', async () => {
    const result = await runShipped('debian-security-patch', { packages: [{ name: FIXTURE_PACKAGE }] });
    results.install = result;
    expect(result.status, result.message ?? '').toBe('changed');
    expect(result.packagesChanged).toEqual([{ name: FIXTURE_PACKAGE, arch: 'all', before: '1.0-1', after: '1.0-2' }]);
    expect(commandNamed(result, 'install security updates').stdout).toContain('Unpacking rbu-fixture (1.0-2) over (1.0-1)');
    expect(result.reboot).toEqual({ policy: 'if-needed', required: false, performed: false });
    expect(await sandbox.installedVersion()).toBe('1.0-2 (install ok installed)');
  }, 180_000);

  it('security-patch again is ok with no change', async () => {
    const result = await runShipped('debian-security-patch', { packages: [{ name: FIXTURE_PACKAGE }] });
    results.again = result;
    expect(result.status, result.message ?? '').toBe('ok');
    expect(result.packagesChanged).toEqual([]);
    expect(commandNamed(result, 'install security updates').stdout).toContain('rbu-fixture is already the newest version (1.0-2)');
  }, 180_000);

  it('a re-scan after patching replaces the stored inventory: the index now says 1.0-2', async () => {
    const result = await runShipped('debian-scan');
    expect(result.status).toBe('ok');
    await storeScan(result);
    const stored = await inventory.lastScan('apt-sandbox');
    expect(stored?.scannedAt).toBe(result.scan?.scannedAt);
    expect(stored?.packages).toEqual([{ name: FIXTURE_PACKAGE, version: '1.0-2', arch: 'all', source: FIXTURE_PACKAGE }]);
    expect(await inventory.hostsWithPackage(FIXTURE_PACKAGE)).toEqual([{ hostId: 'apt-sandbox', installed: [{ version: '1.0-2', arch: 'all', source: FIXTURE_PACKAGE }] }]);
  }, 120_000);

  it('a package whose postinst fails makes the run failed, class step-failed, with the failing output', async () => {
    await sandbox.publish([debs.failing]);
    const result = await runShipped('debian-security-patch', { packages: [{ name: FIXTURE_PACKAGE }] });
    results.failingPostinst = result;
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('step-failed');
    expect(result.failedAt).toEqual({ phase: 'step', name: 'install security updates' });
    const step = commandNamed(result, 'install security updates');
    expect(step.exitCode).toBe(100);
    expect(step.stderr).toContain('rbu-fixture postinst: configuration failed on purpose');
    expect(step.stderr).toContain('post-installation script subprocess returned error exit status 1');
    // What did change is still measured: the new version is unpacked but not configured.
    expect(result.packagesChanged).toEqual([{ name: FIXTURE_PACKAGE, arch: 'all', before: '1.0-2', after: '1.0-3' }]);
    expect(result.commands.some((c) => c.phase === 'post-check')).toBe(false);
    expect(await sandbox.installedVersion()).toBe('1.0-3 (install ok half-configured)');
  }, 180_000);
});
