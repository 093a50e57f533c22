import { createWinrmTransport, type WinrmTransport, type WinrmTransportOptions } from '../../../src/execution/winrm/index.js';
import type { WinrmTestServer } from '../../support/winrm-server/index.js';

export const USER = 'vagrant';
export const PASSWORD = 'S3cret-Pa55word!';

/** A transport to the test server with short timeouts, so TimedOut polls happen within a test. */
export function transportTo(server: WinrmTestServer, overrides: Partial<WinrmTransportOptions> = {}): WinrmTransport {
  const url = new URL(server.url);
  return createWinrmTransport({
    hostId: 'win-test',
    address: url.hostname,
    port: Number(url.port),
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    user: USER,
    password: PASSWORD,
    auth: 'basic',
    operationTimeoutMs: 1_000,
    connectTimeoutMs: 3_000,
    ...overrides,
  });
}
