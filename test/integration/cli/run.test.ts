import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adHocOf, liveWorkers } from '../../../src/releases/index.js';
import { batchHosts, createHostInventoryStore, listBatches, readAudit, saveUser, type HostInventory } from '../../../src/store/index.js';
import { MINIMAL_CONFIG, writeConfigDir } from '../../support/config-dir.js';
import { spawnRedback, type RedbackProcess } from '../../support/orchestration/processes.js';
import { waitFor } from '../../support/orchestration/wait.js';
import { runCli } from '../../support/run-cli.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';

/**
 * `redback run` as an engineer runs it: the real executable, a fixture configuration with two local hosts (one
 * that a maintenance window covers, closed by a blackout that spans the century) and one over SSH to the test
 * sshd, and fixture playbooks whose only effect is a marker file, so "nothing ran" is a file that does not exist.
 * The runs go through the queue: a real `redback worker` process on the same Redis takes them.
 */
const GREET_PLAYBOOK = `id: fixture-greet
kind: custom
os: debian
params:
  greeting: { type: string }
  marker: { type: path }
  packages: { type: packages, optional: true }
pre_checks:
  - name: a shell answers
    run: echo shell ok
steps:
  - name: write marker
    run: |
      set -- {{ packages | apt }}
      printf '%s\\n' {{ greeting }} >> {{ marker }}
      echo wrote {{ greeting }} "($# packages)"
    check: echo redback:plan marker - {{ greeting }}
    changed_when: { stdout: "^wrote " }
`;

const SCAN_PLAYBOOK = `id: fixture-scan
kind: scan
os: debian
packages_query: |
  printf 'openssl\\t3.0.13-1~deb12u1\\tamd64\\topenssl\\nlibssl3\\t3.0.13-1~deb12u1\\tamd64\\topenssl\\n'
steps:
  - name: facts
    run: &facts |
      echo 'redback:fact os_id debian'
      echo 'redback:fact os_name Debian GNU/Linux'
      echo 'redback:fact os_version 12'
      echo 'redback:fact kernel 6.1.0-18-amd64'
      echo 'redback:fact arch amd64'
      echo 'redback:fact boot_time 2026-03-01T02:00:00Z'
    check: *facts
`;

let sshd: TestSshd;
let redis: Redis;
let configDir: string;
let prefix: string;
let work: string;
let env: NodeJS.ProcessEnv;
let worker: RedbackProcess;

function inventoryYaml(ssh: TestSshd): string {
  const customer = (MINIMAL_CONFIG['inventory/acme.yaml'] as string).split('\nhosts:\n')[0] as string;
  return `${customer}
hosts:
  - id: box
    customer: acme
    address: localhost
    transport: local
    os: debian
    groups: [lab]
  - id: guarded
    customer: acme
    address: localhost
    transport: local
    os: debian
    groups: [guarded]
  - id: lab-ssh
    customer: acme
    address: ${ssh.host}
    port: ${ssh.port}
    transport: ssh
    os: debian
    groups: [lab]
    credentials: { user: ${ssh.user}, private_key: "file:${ssh.keyPath}" }
    ssh: { host_key: "${ssh.hostKeyFingerprint}" }
  - id: dead-ssh
    customer: acme
    address: ${ssh.host}
    port: 1
    transport: ssh
    os: debian
    groups: [dead]
    credentials: { user: ${ssh.user}, private_key: "file:${ssh.keyPath}" }
    ssh: { host_key: "${ssh.hostKeyFingerprint}" }
`;
}

beforeAll(async () => {
  sshd = await startTestSshd();
  redis = new Redis(inject('redisUrl'));
  prefix = `run-cli-${randomUUID().slice(0, 8)}`;
  configDir = await writeConfigDir({
    'redback.yaml': `redis:\n  prefix: ${prefix}\n`,
    'inventory/acme.yaml': inventoryYaml(sshd),
    'schedules/acme.yaml': `customer: acme
windows:
  - id: guarded-nightly
    cron: "0 2 * * *"
    duration: 3h
    targets: { groups: [guarded] }
    playbooks: [update]
blackouts:
  - { id: change-freeze, from: "2000-01-01", to: "2099-12-31", reason: "closed for the test" }
`,
    'playbooks/fixture-greet.yaml': GREET_PLAYBOOK,
    'playbooks/fixture-scan.yaml': SCAN_PLAYBOOK,
  });
  // The SSH test user writes markers here too.
  work = await mkdtemp(join(tmpdir(), 'redback-run-cli-'));
  await chmod(work, 0o777);
  env = { REDIS_URL: inject('redisUrl') };
  worker = spawnRedback(['worker', '--concurrency', '5', '--config', configDir], env);
  await waitFor(() => `the worker to connect\n${worker.output()}`, async () => ((await liveWorkers(redis, prefix)).length > 0 ? true : undefined), 30_000);
  const at = new Date().toISOString();
  await saveUser(redis, prefix, { name: 'alice', roles: ['engineer'], customers: ['acme'], createdAt: at, createdBy: 'test' });
  await saveUser(redis, prefix, { name: 'bob', roles: ['engineer'], customers: ['acme'], createdAt: at, createdBy: 'test' });
});

afterAll(async () => {
  await worker?.stop();
  await redis?.quit();
  await sshd?.dispose();
});

const marker = (name: string): string => join(work, `${name}-${randomUUID().slice(0, 8)}`);

interface RunJson {
  playbook: string;
  checkMode: boolean;
  results: Array<{
    hostId: string;
    playbookId: string;
    checkMode: boolean;
    status: string;
    failureClass: string | null;
    failedAt: unknown;
    message: string | null;
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    commands: Array<{ phase: string; name: string; status: string; exitCode: number | null; stdout: string; stderr: string }>;
    packagesChanged: unknown[];
    plannedChanges: unknown[];
    reboot: unknown;
    scan?: unknown;
  }>;
}

describe('redback run (the real executable, through the queue and a worker process)', () => {
  it('runs a playbook on a local host: live progress lines, a summary table, exit 0', async () => {
    const file = marker('ok');
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--param', 'greeting=hello', '--param', `marker=${file}`, '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('hello\n');
    expect(result.stderr).toMatch(/^box\s+pre-check: a shell answers …$/m);
    expect(result.stderr).toMatch(/^box\s+step write marker: changed \(exit 0\)$/m);
    expect(result.stdout).toMatch(/^HOST\s+STATUS\s+CLASS\s+PACKAGES\s+REBOOT\s+TIME\s+MESSAGE\nbox\s+changed\s+\S+\n\n1 changed\n$/);
  });

  it('--check runs the check commands only and reports the planned change', async () => {
    const file = marker('check');
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--check', '--param', 'greeting=hello', '--param', `marker=${file}`, '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(result.stdout).toMatch(/\nbox\s+changed\s+would: marker -→hello\s+\S+\n/);
  });

  it('--json prints the full results and nothing else on stdout', async () => {
    const file = marker('json');
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--json', '--param', 'greeting=hi there', '--param', `marker=${file}`, '--param', 'packages=openssl,libssl3=3.0.13-1~deb12u1', '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RunJson;
    expect(report).toMatchObject({ playbook: 'fixture-greet', checkMode: false });
    expect(report.results).toHaveLength(1);
    const [host] = report.results;
    expect(host).toMatchObject({
      hostId: 'box',
      playbookId: 'fixture-greet',
      checkMode: false,
      status: 'changed',
      failureClass: null,
      failedAt: null,
      message: null,
      packagesChanged: [],
      plannedChanges: [],
      reboot: { policy: 'never', required: null, performed: false },
    });
    expect(host?.commands.map((c) => [c.phase, c.name, c.status, c.exitCode])).toEqual([
      ['pre-check', 'a shell answers', 'ok', 0],
      ['step', 'write marker', 'changed', 0],
    ]);
    expect(host?.commands[1]?.stdout).toBe('wrote hi there (2 packages)\n');
    expect(Date.parse(host?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(host?.startedAt ?? ''));
    expect(await readFile(file, 'utf8')).toBe('hi there\n');
  });

  it('refuses a bad --param with the file and path, and runs nothing', async () => {
    const file = marker('refused');
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'box,lab-ssh', '--param', 'greeting=hello', '--param', `marker=${file}`, '--param', 'packages=openssl; rm -rf /', '--config', configDir], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('redback: playbook fixture-greet cannot run: 1 problem, nothing was run:');
    expect(result.stderr).toContain('playbooks/fixture-greet.yaml: params.packages[0].name: expected a debian package name');
    expect(result.stderr).toContain('given "openssl; rm -rf /"');
    expect(result.stderr).not.toContain('pre-check');
    expect(existsSync(file)).toBe(false);
  });

  it('skips a host whose maintenance windows are all closed; --force needs a reason and a second engineer, audited', async () => {
    const file = marker('guarded');
    const args = ['run', 'fixture-greet', '--hosts', 'guarded,box', '--param', 'greeting=hello', '--param', `marker=${file}`, '--config', configDir];
    const refused = await runCli(args, { env });
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stderr).toContain('Outside maintenance windows: guarded (windows guarded-nightly are closed).');
    expect(refused.stderr).toContain('run again with --force --reason TEXT');
    expect(refused.stdout).toMatch(/\nguarded\s+skipped\s+\S+\s+outside maintenance windows \(guarded-nightly\); use --force\n/);
    expect(refused.stdout).toMatch(/\nbox\s+changed\s/);
    // Only box wrote its line.
    expect(await readFile(file, 'utf8')).toBe('hello\n');

    const noReason = await runCli([...args, '--force'], { env });
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('needs a second engineer\'s approval and a reason: add --reason');

    // alice asks; the out-of-window batch waits until bob (a second engineer) approves it.
    const forcing = runCli([...args, '--force', '--reason', 'vendor hotfix, customer agreed by phone', '--json'], { env: { ...env, REDBACK_USER: 'alice' } });
    const pending = await waitFor('the out-of-window batch to await approval', async () => (await listBatches(redis, prefix, { status: 'awaiting-approval' })).find((b) => adHocOf(b)?.outOfWindow === true && b.hostIds.includes('guarded')));
    expect(pending.id).toMatch(/^run-[0-9a-f]{10}@\d{8}T\d{6}Z$/);
    expect(pending).toMatchObject({ customerId: 'acme', hostIds: ['guarded'], plannedBy: 'alice', adHoc: { requestedBy: 'alice', reason: 'vendor hotfix, customer agreed by phone' } });
    expect(await batchHosts(redis, prefix, pending)).toEqual([{ hostId: 'guarded', state: 'pending', note: null }]); // not run before approval

    const self = await runCli(['batches', 'approve', pending.id, '--as', 'alice', '--config', configDir], { env });
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('alice may not approve the out-of-window run');
    expect(self.stderr).toContain('they requested it');
    const second = await runCli(['batches', 'approve', pending.id, '--as', 'bob', '--comment', 'checked the change', '--config', configDir], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`Out-of-window run ${pending.id} approved by bob as the second engineer`);

    const forced = await forcing;
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`redback batches approve ${pending.id}`);
    const report = JSON.parse(forced.stdout) as RunJson;
    expect(report.results.map((r) => [r.hostId, r.status])).toEqual([
      ['guarded', 'changed'],
      ['box', 'changed'],
    ]);
    // box's line from the first run, then guarded's and box's (in either order).
    expect(await readFile(file, 'utf8')).toBe('hello\nhello\nhello\n');

    const audit = (await readAudit(redis, prefix)).filter((e) => e.subject === `batch/${pending.id}`);
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(expect.arrayContaining(['alice batch.planned', 'alice approval.requested', 'alice approval.refused', 'bob approval.second-engineer', 'bob batch.approved']));
    expect(audit.find((e) => e.action === 'approval.requested')?.reason).toBe('vendor hotfix, customer agreed by phone');
    expect(audit.find((e) => e.action === 'approval.second-engineer')).toMatchObject({ reason: 'vendor hotfix, customer agreed by phone (approver: checked the change)', after: { requester: 'alice', approver: 'bob' } });
  });

  it('runs over SSH to the test sshd', async () => {
    const file = marker('ssh');
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'lab-ssh', '--json', '--param', 'greeting=over-ssh', '--param', `marker=${file}`, '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as RunJson;
    expect(report.results[0]).toMatchObject({ hostId: 'lab-ssh', status: 'changed', failureClass: null });
    expect(await readFile(file, 'utf8')).toBe('over-ssh\n');
  });

  it('an unreachable SSH host fails with class unreachable and exit 1 (deferred once its retry would start too late)', async () => {
    // The worker retries an unreachable host after 5 s; with 3 s to start, the retry is too late and the host is
    // deferred, keeping the class of its failed attempt.
    const result = await runCli(['run', 'fixture-greet', '--hosts', 'dead-ssh', '--json', '--start-within', '3s', '--param', 'greeting=x', '--param', `marker=${marker('never')}`, '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as RunJson;
    expect(report.results[0]).toMatchObject({ hostId: 'dead-ssh', status: 'unreachable', failureClass: 'unreachable' });
    expect(report.results[0]?.message).toMatch(/passed before the run could start \(its last attempt failed: unreachable\)/);
  });

  it('says so when no worker is connected, and when no Redis is configured', async () => {
    const lonely = await writeConfigDir({
      'redback.yaml': `redis:\n  prefix: ${prefix}-no-worker\n`,
      'inventory/acme.yaml': inventoryYaml(sshd),
      'schedules/acme.yaml': null,
      'playbooks/fixture-greet.yaml': GREET_PLAYBOOK,
    });
    const file = marker('no-worker');
    const noWorker = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--param', 'greeting=x', '--param', `marker=${file}`, '--config', lonely], { env });
    expect(noWorker.code).toBe(1);
    expect(noWorker.stderr).toContain('no worker is connected to the queue');
    expect(noWorker.stderr).toContain('`redback worker --config');
    expect(noWorker.stderr).toContain('--in-process');
    expect(existsSync(file)).toBe(false);
    expect(await listBatches(redis, `${prefix}-no-worker`)).toEqual([]);

    const noRedis = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--param', 'greeting=x', '--param', `marker=${file}`, '--config', lonely], { env: { REDIS_URL: '' } });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toContain('redback run goes through the queue');
    expect(noRedis.stderr).toContain('add --in-process');

    const inProcess = await runCli(['run', 'fixture-greet', '--hosts', 'box', '--in-process', '--param', 'greeting=lab', '--param', `marker=${file}`, '--config', lonely], { env: { REDIS_URL: '' } });
    expect(inProcess.code, inProcess.stderr).toBe(0);
    expect(inProcess.stderr).toMatch(/^box\s+step write marker: changed \(exit 0\)$/m);
    expect(await readFile(file, 'utf8')).toBe('lab\n');
  });
});

describe('redback run scan stores the inventory; redback inventory show prints it', () => {
  it('stores the scan of each host in Redis, and inventory show prints it as a table and as JSON', async () => {
    const result = await runCli(['run', 'fixture-scan', '--hosts', 'box,lab-ssh', '--config', configDir], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Stored the inventory of box, lab-ssh.');

    const stored = await createHostInventoryStore(redis, prefix).lastScan('lab-ssh');
    expect(stored).toMatchObject({
      hostId: 'lab-ssh',
      os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
      kernel: '6.1.0-18-amd64',
      bootTime: '2026-03-01T02:00:00Z',
      packages: [
        { name: 'libssl3', version: '3.0.13-1~deb12u1', arch: 'amd64', source: 'openssl' },
        { name: 'openssl', version: '3.0.13-1~deb12u1', arch: 'amd64', source: 'openssl' },
      ],
    });
    expect((await createHostInventoryStore(redis, prefix).hostsWithPackage('openssl')).map((h) => h.hostId)).toEqual(['box', 'lab-ssh']);

    const shown = await runCli(['inventory', 'show', 'lab-ssh', '--config', configDir], { env });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`Host lab-ssh, scanned ${stored?.scannedAt}\n`);
    expect(shown.stdout).toContain('  os        Debian GNU/Linux 12 (debian)\n');
    expect(shown.stdout).toContain('  kernel    6.1.0-18-amd64\n');
    expect(shown.stdout).toContain('  packages  2\n');
    expect(shown.stdout).toMatch(/\nNAME\s+VERSION\s+ARCH\s+SOURCE\nlibssl3\s+3\.0\.13-1~deb12u1\s+amd64\s+openssl\nopenssl\s+3\.0\.13-1~deb12u1\s+amd64\s+openssl\n$/);

    const json = await runCli(['inventory', 'show', 'lab-ssh', '--json', '--config', configDir], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout) as HostInventory).toEqual(stored);
  });

  it('inventory show says when a host was never scanned or does not exist (exit 1)', async () => {
    const never = await runCli(['inventory', 'show', 'guarded', '--config', configDir], { env });
    expect(never.code).toBe(1);
    expect(never.stderr).toBe('redback: no scan stored for guarded; run `redback run scan --hosts guarded` first\n');
    const unknown = await runCli(['inventory', 'show', 'nope', '--config', configDir], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown host "nope"');
  });

  it('--in-process without Redis: the scan is printed and the command says it was not stored', async () => {
    const result = await runCli(['run', 'fixture-scan', '--hosts', 'box', '--in-process', '--config', configDir], { env: { REDIS_URL: '' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Scan results not stored: no Redis configured');
    expect(result.stdout).toMatch(/\nbox\s+ok\s/);
  });
});
