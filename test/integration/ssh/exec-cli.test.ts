import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { remoteProcessesWith, uniqueMarker } from './helpers.js';

let sshd: TestSshd;
let work: string;
let target: string;

beforeAll(async () => {
  sshd = await startTestSshd();
  work = await mkdtemp(join(tmpdir(), 'redback-exec-cli-'));
  target = `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;
});
afterAll(async () => {
  await sshd?.dispose();
  await rm(work, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function redback(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['bin/redback.js', ...args], { cwd: process.cwd(), env: { ...process.env, ...env, SSH_AUTH_SOCK: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

describe('redback exec against the test sshd', () => {
  it('streams the output and exits with the remote exit code', async () => {
    const run = await redback(['exec', target, '--identity', sshd.keyPath, '--host-key', sshd.hostKeyFingerprint, '--', 'echo', 'out;', 'echo', 'err', '>&2;', 'exit', '3']);
    expect(run).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('prints the JSON result with failureClass null on success', async () => {
    const run = await redback(['exec', target, '--password-env', 'RB_PW', '--known-hosts', sshd.knownHostsPath, '--json', '--', 'printf', "'%s\\n'", 'héllo'], { RB_PW: sshd.password });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['durationMs', 'exitCode', 'failureClass', 'message', 'stderr', 'stdout']);
    expect(json).toMatchObject({ exitCode: 0, stdout: 'héllo\n', stderr: '', failureClass: null, message: null });
    expect(typeof json.durationMs).toBe('number');
    expect(run.stdout).not.toContain(sshd.password);
  });

  it('classes a non-zero exit as step-failed in JSON and still exits with it', async () => {
    const run = await redback(['exec', target, '--identity', sshd.keyPath, '--host-key', sshd.hostKeyFingerprint, '--json', '--', 'exit 7']);
    expect(run.code).toBe(7);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 7, failureClass: 'step-failed' });
  });

  it('stops a command at --timeout, kills it on the host, and reports class timeout with exit 255', async () => {
    const marker = uniqueMarker();
    const run = await redback(['exec', target, '--identity', sshd.keyPath, '--host-key', sshd.hostKeyFingerprint, '--timeout', '1s', '--json', '--', `sleep 120; : ${marker}`]);
    expect(run.code).toBe(255);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: null, failureClass: 'timeout' });
    expect(await remoteProcessesWith(marker)).toEqual([]);
  });

  it('reports a wrong host key as host-key and a closed port as unreachable', async () => {
    const wrong = await redback(['exec', target, '--identity', sshd.keyPath, '--host-key', `SHA256:${'A'.repeat(43)}`, '--json', '--', 'true']);
    expect(wrong.code).toBe(255);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ failureClass: 'host-key' });
    const closed = await redback(['exec', `ssh://${sshd.user}@127.0.0.1:1`, '--identity', sshd.keyPath, '--host-key', sshd.hostKeyFingerprint, '--', 'true']);
    expect(closed.code).toBe(255);
    expect(closed.stderr).toMatch(/^redback exec: unreachable: .*ECONNREFUSED/);
  });

  it('trusts on first use only when asked, and records the key in --known-hosts', async () => {
    const knownHosts = join(work, 'tofu_known_hosts');
    const run = await redback(['exec', target, '--identity', sshd.keyPath, '--known-hosts', knownHosts, '--trust-on-first-use', '--', 'echo ok']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`trusted host key ${sshd.hostKeyFingerprint}`);
    expect(await readFile(knownHosts, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  });

  it('runs on an inventory host by id, with credentials and pin from the inventory', async () => {
    const config = join(work, 'config');
    await mkdir(join(config, 'inventory'), { recursive: true });
    await mkdir(join(config, 'keys'), { recursive: true });
    await writeFile(join(config, 'keys', 'test_ed25519'), await readFile(sshd.keyPath), { mode: 0o600 });
    await writeFile(
      join(config, 'inventory', 'test.yaml'),
      [
        'customers:',
        '  - id: test',
        '    name: Test',
        '    timezone: Europe/Amsterdam',
        '    contract:',
        '      business_hours: 24x7',
        '      sla:',
        ...[1, 2, 3, 4, 5].map((p) => `        ${p}: { response: 1h, resolution: 1d }`),
        'hosts:',
        '  - id: test-host',
        '    customer: test',
        '    address: 127.0.0.1',
        `    port: ${sshd.port}`,
        '    transport: ssh',
        '    os: debian',
        `    credentials: { user: ${sshd.user}, private_key: file:keys/test_ed25519 }`,
        `    ssh: { host_key: "${sshd.hostKeyFingerprint}" }`,
        '',
      ].join('\n'),
    );
    const run = await redback(['exec', 'test-host', '--config', config, '--', 'id -un']);
    expect(run).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
    const unknown = await redback(['exec', 'no-such-host', '--config', config, '--', 'true']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no inventory host "no-such-host"');
    expect(unknown.stderr).toContain('test-host');
  });

  it('refuses a target without a host-key check with exit 2 and says what to give', async () => {
    const run = await redback(['exec', target, '--identity', sshd.keyPath, '--', 'true']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the SSH host key must be checked: give --host-key SHA256:… or --known-hosts FILE');
  });
});
