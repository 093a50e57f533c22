import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../../src/execution/transport.js';
import { WsmanFaultError } from '../../../src/execution/winrm/index.js';
import { SIGNALS, startWinrmTestServer, type WinrmTestServer, type WinrmTestServerOptions } from '../../support/winrm-server/index.js';
import { PASSWORD, transportTo, USER } from './helpers.js';

const servers: WinrmTestServer[] = [];
const closers: (() => Promise<void>)[] = [];

async function server(options: WinrmTestServerOptions = {}): Promise<WinrmTestServer> {
  const started = await startWinrmTestServer({ users: { [USER]: PASSWORD }, operationTimeoutCapMs: 1_000, ...options });
  servers.push(started);
  return started;
}

function track<T extends { close(): Promise<void> }>(transport: T): T {
  closers.push(() => transport.close());
  return transport;
}

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected the promise to reject');
}

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const started of servers.splice(0)) await started.close();
});

describe('WinRM transport against the Windows-faithful test server', () => {
  it('runs a cmd command over Basic/HTTP, returns stdout and exit code, and follows the canonical flow', async () => {
    const host = await server();
    const transport = track(transportTo(host, { shell: 'cmd' }));
    const result = await transport.exec('echo hello world');
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hello world\r\n', stderr: '', stdoutTruncatedBytes: 0 });
    await transport.close();
    const operations = host.requests.map((entry) => entry.operation);
    expect(operations).toEqual(['Create', 'Command', 'Receive', 'Signal', 'Delete']);
    const create = host.requests[0];
    expect(create?.options).toMatchObject({ WINRS_CODEPAGE: '65001', WINRS_NOPROFILE: 'TRUE' });
    expect(host.requests.find((entry) => entry.operation === 'Signal')?.signalCode).toBe(SIGNALS.terminate);
    const ids = host.requests.map((entry) => entry.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^uuid:[0-9A-F-]{36}$/.test(id ?? ''))).toBe(true);
    expect(host.openShells).toBe(0);
  });

  it('returns stdout, stderr and a non-zero exit code as they are', async () => {
    const host = await server();
    host.commands.add({ match: 'build', steps: [{ stdout: 'out\r\n' }, { stderr: 'err\r\n' }, { exit: 3 }] });
    const result = await track(transportTo(host, { shell: 'cmd' })).exec('build');
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\r\n', stderr: 'err\r\n' });
  });

  it('keeps polling through OperationTimeout faults while a command is silent', async () => {
    const host = await server();
    host.commands.add({ match: 'install', steps: [{ stdout: 'starting\r\n' }, { silentPolls: 3 }, { stdout: 'done\r\n' }, { exit: 0 }] });
    const result = await track(transportTo(host, { shell: 'cmd' })).exec('install');
    expect(result.stdout).toBe('starting\r\ndone\r\n');
    expect(host.requests.filter((entry) => entry.fault === 'w:TimedOut')).toHaveLength(3);
    expect(host.requests.find((entry) => entry.operation === 'Receive')?.operationTimeout).toBe('PT1S');
  });

  it('decodes UTF-8 output whose multi-byte characters are split across chunks', async () => {
    const host = await server({ maxChunkBytes: 1 });
    const text = 'héllo こんにちは ✓ Ærøskøbing\r\n';
    host.commands.add({ match: 'unicode', steps: [{ stdout: text }, { exit: 0 }] });
    const lines: string[] = [];
    const result = await track(transportTo(host, { shell: 'cmd' })).exec('unicode', { onLine: (_stream, line) => lines.push(line) });
    expect(result.stdout).toBe(text);
    expect(lines).toEqual(['héllo こんにちは ✓ Ærøskøbing']);
  });

  it('sends PowerShell as -EncodedCommand that decodes to the exact script, and decodes CLIXML stderr', async () => {
    const host = await server();
    const script = 'Write-Error "Disk C: is full"; exit 2';
    host.commands.add({
      match: /Disk C: is full/,
      steps: [
        { stderr: '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Disk C: is full_x000D__x000A_</S></Objs>' },
        { exit: 2 },
      ],
    });
    const result = await track(transportTo(host)).exec(script);
    expect(result).toMatchObject({ exitCode: 2, stderr: 'Disk C: is full\r\n' });
    const command = host.requests.find((entry) => entry.operation === 'Command');
    expect(command?.commandLine).toMatch(/^powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand [A-Za-z0-9+/=]+$/);
    expect(command?.powershell?.endsWith(`\n${script}`)).toBe(true);
  });

  it('never lets shell metacharacters reach cmd.exe unquoted: they travel inside the base64 script', async () => {
    const host = await server();
    const marker = `/tmp/pwned-${process.pid}-${Date.now()}`;
    const hostile = `Write-Output 'pkg'; touch ${marker} & calc.exe | "x" > C:\\evil.txt \`$(rm -rf /) %PATH% ^& <tag>`;
    host.commands.add({ match: () => true, steps: [{ stdout: 'ok\r\n' }, { exit: 0 }] });
    await track(transportTo(host)).exec(hostile);
    const command = host.requests.find((entry) => entry.operation === 'Command');
    const base64 = command?.commandLine?.split(' ').pop() ?? '';
    expect(command?.commandLine).not.toContain('touch');
    expect(command?.commandLine).not.toMatch(/[;&|<>"`%^$]/);
    expect(command?.powershell).toContain(hostile);
    expect(Buffer.from(base64, 'base64').toString('utf16le')).toContain(hostile);
    expect(existsSync(marker)).toBe(false);
  });

  it('sends a cmd line with XML-special characters intact', async () => {
    const host = await server();
    await track(transportTo(host, { shell: 'cmd' })).exec('echo a & echo <b> "q"');
    expect(host.requests.find((entry) => entry.operation === 'Command')?.commandLine).toBe('echo a & echo <b> "q"');
  });

  it('stops a command that never ends when its time limit passes (timeout, Signal terminate sent)', async () => {
    const host = await server();
    host.commands.add({ match: 'forever', steps: [{ stdout: 'working\r\n' }, { hang: true }] });
    const error = await failureOf(track(transportTo(host, { shell: 'cmd' })).exec('forever', { timeoutMs: 1_500, step: 'patch', attempt: 2 }));
    expect(error.failureClass).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('host win-test, step "patch", attempt 2');
    const commandId = host.requests.find((entry) => entry.operation === 'Receive')?.commandId;
    const signal = host.requests.find((entry) => entry.operation === 'Signal');
    expect(signal).toMatchObject({ signalCode: SIGNALS.terminate, commandId });
  });

  it('cancels a running command through its AbortSignal (cancelled)', async () => {
    const host = await server();
    host.commands.add({ match: 'forever', steps: [{ hang: true }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await failureOf(track(transportTo(host, { shell: 'cmd' })).exec('forever', { signal: controller.signal }));
    expect(error.failureClass).toBe('cancelled');
    expect(host.requests.some((entry) => entry.operation === 'Signal')).toBe(true);
  });

  it('reuses one shell for several commands', async () => {
    const host = await server();
    const transport = track(transportTo(host, { shell: 'cmd' }));
    await transport.exec('echo one');
    await transport.exec('echo two');
    expect(host.requests.filter((entry) => entry.operation === 'Create')).toHaveLength(1);
  });

  it('keeps the first maxOutputBytes of a stream and counts the rest', async () => {
    const host = await server();
    host.commands.add({ match: 'big', steps: [{ stdout: Buffer.alloc(300_000, 0x61) }, { exit: 0 }] });
    const result = await track(transportTo(host, { shell: 'cmd' })).exec('big', { maxOutputBytes: 1_000 });
    expect(result.stdout).toHaveLength(1_000);
    expect(result.stdoutTruncatedBytes).toBe(299_000);
    expect(host.requests.filter((entry) => entry.operation === 'Receive').length).toBeGreaterThan(1);
  });

  it('authenticates with NTLM (Negotiate) once per connection', async () => {
    const host = await server();
    const transport = track(transportTo(host, { auth: 'ntlm', shell: 'cmd' }));
    await transport.exec('echo one');
    await transport.exec('echo two');
    expect(host.requests.every((entry) => entry.authScheme === 'negotiate' && entry.user === USER)).toBe(true);
    // Only the first request of the connection carried an NTLM token; the rest rode on the authenticated socket.
    const withToken = host.requests.filter((entry) => entry.headers.authorization !== undefined);
    expect(withToken).toHaveLength(1);
  });

  it.each(['basic', 'ntlm'] as const)('fails with class auth on a wrong password (%s), without the password in the error', async (auth) => {
    const host = await server();
    const error = await failureOf(track(transportTo(host, { auth, password: 'wrong-Passw0rd' })).exec('echo x'));
    expect(error.failureClass).toBe('auth');
    expect(error.retryable).toBe(false);
    expect(JSON.stringify({ message: error.message, stack: error.stack })).not.toContain('wrong-Passw0rd');
  });

  it('explains why Windows refuses Basic and NTLM over plain HTTP when AllowUnencrypted is false', async () => {
    const host = await server({ allowUnencrypted: false });
    const basic = await failureOf(track(transportTo(host, { auth: 'basic' })).exec('echo x'));
    expect(basic.failureClass).toBe('auth');
    expect(basic.message).toContain('AllowUnencrypted');
    const ntlm = await failureOf(track(transportTo(host, { auth: 'ntlm' })).exec('echo x'));
    expect(ntlm.failureClass).toBe('internal');
    expect(ntlm.message).toContain('HTTPS');
  });

  it('fails with class unreachable on a closed port', async () => {
    const host = await server();
    const port = host.port;
    await host.close();
    const error = await failureOf(track(transportTo(host)).connect());
    expect(error.failureClass).toBe('unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(String(port));
  });

  it('survives a connection dropped in the middle of a Receive', async () => {
    const host = await server();
    host.commands.add({ match: 'slow', steps: [{ delayMs: 400 }, { stdout: 'finished\r\n' }, { exit: 0 }] });
    host.injectFailure({ kind: 'drop', afterMs: 100 }, { operation: 'Receive' });
    const result = await track(transportTo(host, { shell: 'cmd' })).exec('slow');
    expect(result).toMatchObject({ exitCode: 0, stdout: 'finished\r\n' });
    expect(host.requests.filter((entry) => entry.operation === 'Receive' && entry.status === 0)).toHaveLength(1);
  });

  it('gives up with class unreachable when every Receive connection drops', async () => {
    const host = await server();
    host.commands.add({ match: 'slow', steps: [{ hang: true }] });
    host.injectFailure({ kind: 'drop', afterMs: 20 }, { operation: 'Receive', times: 10 });
    const error = await failureOf(track(transportTo(host, { shell: 'cmd' })).exec('slow'));
    expect(error.failureClass).toBe('unreachable');
  });

  it('reports an HTTP 500 without a body as an internal failure', async () => {
    const host = await server();
    host.injectFailure({ kind: 'empty-500' }, { operation: 'Receive' });
    const error = await failureOf(track(transportTo(host, { shell: 'cmd' })).exec('echo x'));
    expect(error.failureClass).toBe('internal');
    expect(error.message).toContain('HTTP 500 with an empty body');
  });

  it('turns a SOAP fault into a typed error carrying its WSManFault code', async () => {
    const host = await server();
    host.injectFailure({ kind: 'fault', fault: 'quotaLimit' }, { operation: 'Create' });
    const error = await failureOf(track(transportTo(host)).connect());
    expect(error.failureClass).toBe('internal');
    expect(error.message).toContain('MaxShellsPerUser');
    expect(error.cause).toBeInstanceOf(WsmanFaultError);
    expect(error.cause).toMatchObject({ subcode: 'w:QuotaLimit', wsmanCode: 2150859173 });
  });

  it('rejects an answer whose RelatesTo names another message', async () => {
    const host = await server();
    host.injectFailure({ kind: 'wrong-relates-to' }, { operation: 'Command' });
    const error = await failureOf(track(transportTo(host, { shell: 'cmd' })).exec('echo x'));
    expect(error.failureClass).toBe('internal');
    expect(error.message).toMatch(/relates to uuid:[0-9A-F-]+, not to the request uuid:/);
  });

  it('opens a new shell when the host has forgotten the old one', async () => {
    const host = await server();
    const transport = track(transportTo(host, { shell: 'cmd' }));
    await transport.exec('echo one');
    await host.reboot(50);
    const result = await transport.exec('echo two');
    expect(result.stdout).toBe('two\r\n');
    expect(host.requests.filter((entry) => entry.operation === 'Create')).toHaveLength(2);
  });
});
