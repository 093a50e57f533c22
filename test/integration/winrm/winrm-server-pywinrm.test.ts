import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGNALS, startWinrmTestServer, type WinrmTestServer } from '../../support/winrm-server/index.js';

/**
 * Fidelity proof 2: an independent client. Debian's pywinrm 0.3.0 (package python3-winrm, for /usr/bin/python3)
 * talks to the test server and must get the right output and exit codes.
 */
const run = promisify(execFile);
const DRIVER = path.resolve(process.cwd(), 'test/integration/winrm/pywinrm_driver.py');
const USER = 'vagrant';
const PASSWORD = 'Pyw1nrm-pass';

let server: WinrmTestServer;
let scratch: string;
let opensslConf: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'redback-pywinrm-'));
  // NTLM needs MD4, which Debian's OpenSSL 3 keeps in the legacy provider; python's hashlib asks OpenSSL for it.
  opensslConf = path.join(scratch, 'openssl.cnf');
  writeFileSync(
    opensslConf,
    'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n',
  );
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

afterEach(async () => {
  await server.close();
});

interface DriverResult {
  stdout?: string;
  stderr?: string;
  status?: number;
  error?: string | null;
}

async function pywinrm(scenario: string, password = PASSWORD): Promise<{ stdout: Buffer; stderr: Buffer; status: number | undefined; error: string | null | undefined }> {
  const { stdout } = await run('/usr/bin/python3', [DRIVER, server.url, USER, password, scenario], {
    timeout: 60_000,
    env: { ...process.env, OPENSSL_CONF: opensslConf },
  });
  const result = JSON.parse(stdout) as DriverResult;
  return {
    stdout: Buffer.from(result.stdout ?? '', 'base64'),
    stderr: Buffer.from(result.stderr ?? '', 'base64'),
    status: result.status,
    error: result.error,
  };
}

async function start(): Promise<WinrmTestServer> {
  server = await startWinrmTestServer({ users: { [USER]: PASSWORD } });
  return server;
}

describe('pywinrm 0.3.0 (Debian python3-winrm) against the test server', () => {
  it('runs a command with Session.run_cmd over Basic', async () => {
    await start();
    const result = await pywinrm('run_cmd');
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout.toString()).toBe('hi there\r\n');
    expect(server.requests.map((entry) => entry.operation)).toEqual(['Create', 'Command', 'Receive', 'Signal', 'Delete']);
    expect(server.requests.every((entry) => entry.authScheme === 'basic')).toBe(true);
  });

  it('gets stdout, stderr and exit code 3', async () => {
    await start();
    server.commands.add({ match: 'build.cmd --all', steps: [{ stdout: 'compiling\r\n' }, { stderr: 'warning: old\r\n' }, { exit: 3 }] });
    const result = await pywinrm('stderr_rc');
    expect(result.status).toBe(3);
    expect(result.stdout.toString()).toBe('compiling\r\n');
    expect(result.stderr.toString()).toBe('warning: old\r\n');
  });

  it('retries Receive through w:TimedOut faults during a long silence and gets the rest of the output', async () => {
    await start();
    server.commands.add({ match: 'install-updates', steps: [{ stdout: 'installing\r\n' }, { silentPolls: 2 }, { stdout: 'installed\r\n' }, { exit: 0 }] });
    const result = await pywinrm('silence');
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('installing\r\ninstalled\r\n');
    expect(server.requests.filter((entry) => entry.fault === 'w:TimedOut')).toHaveLength(2);
    // pywinrm's cleanup_command and close_shell assert RelatesTo themselves; the run got past both.
    expect(server.requests.find((entry) => entry.operation === 'Signal')?.signalCode).toBe(SIGNALS.terminate);
    expect(server.requests.at(-1)?.operation).toBe('Delete');
  });

  it.each([
    ['cp437', Buffer.from([0x63, 0x61, 0x66, 0x82, 0x0d, 0x0a])],
    ['cp65001', Buffer.from('café\r\n', 'utf8')],
  ])('writes non-ASCII output in the shell code page (%s)', async (scenario, expected) => {
    await start();
    server.commands.add({ match: 'type cafe.txt', steps: [{ stdout: 'café\r\n' }, { exit: 0 }] });
    const result = await pywinrm(scenario);
    expect(result.stdout.equals(expected)).toBe(true);
    expect(server.requests[0]?.options.WINRS_CODEPAGE).toBe(scenario.slice(2));
  });

  it('decodes a PowerShell -encodedcommand so a scripted behaviour matches its source', async () => {
    await start();
    server.commands.add({ match: 'Get-HotFix | Select -First 1', steps: [{ stdout: 'KB5034441\r\n' }, { exit: 0 }] });
    const result = await pywinrm('powershell');
    expect(result.stdout.toString()).toBe('KB5034441\r\n');
    expect(server.requests.find((entry) => entry.operation === 'Command')?.powershell).toBe('Get-HotFix | Select -First 1');
  });

  it('authenticates pywinrm over NTLM (Negotiate, no message encryption) and verifies its NTLMv2 response', async () => {
    await start();
    const result = await pywinrm('ntlm');
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('over ntlm\r\n');
    expect(server.requests.filter((entry) => entry.operation !== undefined).every((entry) => entry.authScheme === 'negotiate')).toBe(true);
  });

  it.each(['bad_basic', 'bad_ntlm'])('answers a wrong password with 401 so pywinrm raises InvalidCredentialsError (%s)', async (scenario) => {
    await start();
    const result = await pywinrm(scenario, 'not-the-password');
    expect(result.error).toBe('InvalidCredentialsError');
  });
});
