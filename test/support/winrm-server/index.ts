import { WinrmTestServer, type WinrmTestServerOptions } from './server.js';

export { WinrmTestServer, type InjectedFailure, type RequestLogEntry, type WinrmTestServerOptions } from './server.js';
export { CommandTable, type CommandInvocation, type CommandScript, type ScriptStep } from './command-table.js';
export { FAULTS, type FaultName } from './faults.js';
export { ACTIONS, NS, SIGNALS } from './namespaces.js';
export { createTestCertificates, type TestCertificates } from './tls.js';

/**
 * Starts a Windows-faithful WinRM (WS-Management / WinRS) server on a free loopback port. Script its
 * commands with `server.commands.add({ match, steps })`, inspect `server.requests`, inject failures with
 * `server.injectFailure(...)`, and `await server.close()` when done.
 */
export async function startWinrmTestServer(options: WinrmTestServerOptions = {}): Promise<WinrmTestServer> {
  const server = new WinrmTestServer(options);
  await server.start();
  return server;
}
