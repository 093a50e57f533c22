import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/platform/logger.js';
import { TransportError } from '../../../src/execution/transport.js';
import {
  createTestCertificates,
  startWinrmTestServer,
  type TestCertificates,
  type WinrmTestServer,
  type WinrmTestServerOptions,
} from '../../support/winrm-server/index.js';
import { PASSWORD, transportTo, USER } from './helpers.js';

let certificates: TestCertificates;
let otherCertificates: TestCertificates;
const servers: WinrmTestServer[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  certificates = createTestCertificates();
  otherCertificates = createTestCertificates();
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const started of servers.splice(0)) await started.close();
});

afterAll(() => undefined);

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

describe('WinRM over HTTPS', () => {
  it('trusts the host through a custom CA (Basic and NTLM)', async () => {
    const host = await server({ tls: certificates, allowUnencrypted: false });
    for (const auth of ['basic', 'ntlm'] as const) {
      const result = await track(transportTo(host, { auth, ca: certificates.ca, shell: 'cmd' })).exec('echo secure');
      expect(result.stdout).toBe('secure\r\n');
    }
    expect(host.url.startsWith('https://')).toBe(true);
  });

  it('refuses a certificate no configured CA signed (host-key), before sending anything', async () => {
    const host = await server({ tls: certificates });
    const error = await failureOf(track(transportTo(host)).connect());
    expect(error.failureClass).toBe('host-key');
    expect(error.message).toContain('certificate');
    expect(host.requests).toHaveLength(0);
  });

  it('accepts a self-signed host through its pinned SHA-256 fingerprint', async () => {
    const host = await server({ tls: certificates });
    const result = await track(transportTo(host, { certificateFingerprint: certificates.fingerprint256, shell: 'cmd' })).exec('echo pinned');
    expect(result.stdout).toBe('pinned\r\n');
  });

  it('refuses a certificate whose fingerprint differs from the pin, even when the CA signed it, without sending credentials', async () => {
    const host = await server({ tls: certificates });
    const error = await failureOf(
      track(transportTo(host, { ca: certificates.ca, certificateFingerprint: otherCertificates.fingerprint256 })).connect(),
    );
    expect(error.failureClass).toBe('host-key');
    expect(error.message).toContain('not the pinned');
    expect(host.requests).toHaveLength(0);
  });
});

describe('WinRM reboot', () => {
  it('restarts the host, sees it drop, waits for it, and checks the boot time changed', async () => {
    const host = await server({ reboot: { dropAfterMs: 100, downMs: 800 } });
    const transport = track(transportTo(host));
    await transport.connect();
    const before = host.bootTime.toISOString();
    const result = await transport.reboot({ timeoutMs: 20_000, pollIntervalMs: 200 });
    expect(host.reboots).toBe(1);
    expect(result.bootTimeBefore).toBe(before);
    expect(result.bootTimeAfter).toBe(host.bootTime.toISOString());
    expect(result.bootTimeAfter).not.toBe(result.bootTimeBefore);
    expect(host.requests.some((entry) => /Restart-Computer -Force/.test(entry.powershell ?? ''))).toBe(true);
    expect((await transport.exec('Write-Output after')).stdout).toBe('after\r\n');
  });

  it('fails with reboot-timeout when the boot time never changes', async () => {
    const host = await server();
    host.commands.add({ match: /Restart-Computer/, steps: [{ exit: 0 }] });
    const error = await failureOf(track(transportTo(host)).reboot({ timeoutMs: 1_500, pollIntervalMs: 200 }));
    expect(error.failureClass).toBe('reboot-timeout');
    expect(error.message).toContain('old boot time');
  });
});

describe('secrets', () => {
  it('never writes the password or the Basic/NTLM tokens to the logs or into errors', async () => {
    const host = await server();
    let logged = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged += chunk.toString();
        callback();
      },
    });
    const logger = createLogger({ level: 'trace', pretty: false, destination });
    host.commands.add({ match: 'forever', steps: [{ hang: true }] });
    const ok = track(transportTo(host, { logger, shell: 'cmd' }));
    await ok.exec('echo fine');
    const timedOut = await failureOf(ok.exec('forever', { timeoutMs: 300 }));
    const ntlm = track(transportTo(host, { logger, auth: 'ntlm', shell: 'cmd' }));
    await ntlm.exec('echo fine');
    const wrong = await failureOf(track(transportTo(host, { logger, password: `${PASSWORD}-wrong` })).exec('echo x'));
    await ok.close();
    const basicToken = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const tokens = host.requests.map((entry) => entry.headers.authorization).filter((value): value is string => value !== undefined);
    expect(tokens.length).toBeGreaterThan(1);
    expect(logged).not.toBe('');
    const everything = [logged, timedOut.message, timedOut.stack ?? '', wrong.message, wrong.stack ?? '', JSON.stringify(timedOut), JSON.stringify(wrong)].join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(basicToken);
    for (const token of tokens) expect(everything).not.toContain(token.split(' ')[1]);
  });
});
