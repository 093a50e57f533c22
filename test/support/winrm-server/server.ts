import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { authenticate, challengeHeaders, type AuthSettings } from './auth.js';
import { builtInSteps, CommandTable, decodeEncodedCommand, type CommandInvocation } from './command-table.js';
import { FakeCommand } from './fake-command.js';
import { FAULTS, faultBody, unknownShellFault, type FaultName, type FaultSpec } from './faults.js';
import { NS, SHELL_CMD_URI, SIGNALS, type OperationName } from './namespaces.js';
import {
  commandResponse,
  createResponse,
  deleteResponse,
  faultEnvelope,
  receiveResponse,
  sendResponse,
  signalResponse,
  windowsGuid,
  type StreamChunk,
} from './responses.js';
import { child, children, MalformedRequest, parseIsoDuration, parseSoapRequest, text, type SoapRequest } from './soap-request.js';

export interface WinrmTestServerOptions {
  /** Users and passwords the host accepts. Default `{ vagrant: 'vagrant' }`. */
  users?: Record<string, string>;
  /** Enabled schemes. Default both. */
  auth?: { basic?: boolean; negotiate?: boolean };
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /**
   * Windows' AllowUnencrypted. When false, Basic over plain HTTP gets 401 and Negotiate over plain HTTP
   * without message encryption gets HTTP 500 with no body and `Connection: close` (both as observed in the
   * field). Default true, so plain-HTTP tests work.
   */
  allowUnencrypted?: boolean;
  /** Holds a Receive at most this long, whatever OperationTimeout says, so tests stay fast. Default: no cap. */
  operationTimeoutCapMs?: number;
  /** MaxShellsPerUser. Default 30. */
  maxShellsPerUser?: number;
  /** The Machine attribute of faults and the NTLM computer name. Default `WIN-TESTSERVER`. */
  machine?: string;
  /** Largest stdout/stderr chunk per rsp:Stream element; longer output is split (at any byte). Default 8192. */
  maxChunkBytes?: number;
  /** Exit code reported after a Signal stopped a command. Default 3221225786 (0xC000013A, STATUS_CONTROL_C_EXIT). */
  signalledExitCode?: number;
  /** Simulated reboot: time from the restart command's end to the drop, and time the host stays down. */
  reboot?: { dropAfterMs?: number; downMs?: number };
  /** Windows Server 2016 and later put a `p:ActivityId` into every response header; 2012 R2 does not. Default false. */
  activityId?: boolean;
  host?: string;
  port?: number;
}

export interface RequestLogEntry {
  operation: OperationName | undefined;
  action: string;
  messageId: string | undefined;
  operationTimeout: string | undefined;
  authScheme: 'basic' | 'negotiate' | 'none';
  user: string | undefined;
  options: Record<string, string>;
  selectors: Record<string, string>;
  commandId: string | undefined;
  signalCode: string | undefined;
  commandLine: string | undefined;
  powershell: string | undefined;
  status: number;
  fault: string | undefined;
  headers: IncomingMessage['headers'];
}

export type InjectedFailure =
  /** Closes the TCP connection without an answer (for Receive: after `afterMs`, mid long-poll). */
  | { kind: 'drop'; afterMs?: number }
  /** HTTP 500 with an empty body. */
  | { kind: 'empty-500' }
  | { kind: 'status-401' }
  /** Answers normally but with a RelatesTo that names another message. */
  | { kind: 'wrong-relates-to' }
  /** A SOAP fault from the catalog. */
  | { kind: 'fault'; fault: Exclude<FaultName, 'unknownShell'> };

interface PendingFailure {
  failure: InjectedFailure;
  operation: OperationName | undefined;
  remaining: number;
}

interface FakeShell {
  id: string;
  owner: string;
  codepage: number;
  /** In the order the client sent them (Windows echoes them so). */
  environment: [string, string][];
  workingDirectory: string | undefined;
  commands: Map<string, FakeCommand>;
}

/** Windows hands a process this many characters of command line through cmd.exe. */
const MAX_COMMAND_LINE = 8191;

export class WinrmTestServer {
  readonly commands = new CommandTable();
  readonly requests: RequestLogEntry[] = [];
  bootTime: Date;
  reboots = 0;
  private readonly shells = new Map<string, FakeShell>();
  private readonly failures: PendingFailure[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly auth: AuthSettings;
  private server: Server;
  private listeningPort = 0;
  private down = false;
  private closed = false;

  constructor(private readonly options: WinrmTestServerOptions = {}) {
    this.bootTime = new Date(Date.now() - 3_600_000);
    this.auth = {
      basic: options.auth?.basic ?? true,
      negotiate: options.auth?.negotiate ?? true,
      users: options.users ?? { vagrant: 'vagrant' },
      computerName: options.machine ?? 'WIN-TESTSERVER',
    };
    this.server = this.createListener();
  }

  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://${this.host}:${this.listeningPort}/wsman`;
  }

  get port(): number {
    return this.listeningPort;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Open shells (for assertions that a client deleted its shell). */
  get openShells(): number {
    return this.shells.size;
  }

  async start(): Promise<void> {
    this.server.listen(this.options.port ?? 0, this.host);
    await once(this.server, 'listening');
    const address = this.server.address();
    if (address !== null && typeof address === 'object') this.listeningPort = address.port;
  }

  /** Makes the next `times` requests of `operation` (or any request) fail this way. */
  injectFailure(failure: InjectedFailure, on: { operation?: OperationName; times?: number } = {}): void {
    this.failures.push({ failure, operation: on.operation, remaining: on.times ?? 1 });
  }

  /** Simulates a restart now: every connection drops, the port refuses connections for `downMs`, then the host is back with a new boot time and no shells. */
  async reboot(downMs = this.options.reboot?.downMs ?? 500): Promise<void> {
    if (this.down || this.closed) return;
    this.down = true;
    this.reboots += 1;
    for (const shell of this.shells.values()) for (const command of shell.commands.values()) command.stop(1);
    this.shells.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (this.closed) return;
    this.bootTime = new Date();
    this.server = this.createListener();
    this.server.listen(this.listeningPort, this.host);
    await once(this.server, 'listening');
    this.down = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const shell of this.shells.values()) for (const command of shell.commands.values()) command.stop(1);
    this.shells.clear();
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private createListener(): Server {
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      void this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'Content-Type': 'text/plain' });
          response.end(`test server error: ${(error as Error).stack ?? String(error)}`);
        }
      });
    };
    const server = this.options.tls === undefined ? createHttpServer(handler) : createHttpsServer(this.options.tls, handler);
    server.keepAliveTimeout = 120_000;
    server.on(this.options.tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    response.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    if (request.method !== 'POST' || request.url?.split('?')[0]?.toLowerCase() !== '/wsman') {
      response.writeHead(404, { 'Content-Length': 0 });
      response.end();
      return;
    }
    const outcome = authenticate(request, this.auth);
    const encrypted = this.options.tls !== undefined;
    const allowUnencrypted = this.options.allowUnencrypted ?? true;
    const entryBase = { headers: request.headers, authScheme: outcome.scheme } as const;
    if (outcome.kind === 'challenge') {
      response.writeHead(401, { 'WWW-Authenticate': outcome.header, 'Content-Length': 0 });
      response.end();
      return;
    }
    if (outcome.kind === 'rejected') {
      this.log(entryBase, undefined, 401, undefined, undefined);
      response.writeHead(401, { 'WWW-Authenticate': challengeHeaders(this.auth), 'Content-Length': 0 });
      response.end();
      return;
    }
    if (!encrypted && !allowUnencrypted) {
      if (outcome.scheme === 'basic') {
        response.writeHead(401, { 'WWW-Authenticate': challengeHeaders(this.auth), 'Content-Length': 0 });
      } else {
        response.writeHead(500, { 'Content-Length': 0, Connection: 'close' });
      }
      response.end();
      return;
    }
    if (body.length === 0) {
      // The empty-bodied request that carried an authentication message.
      response.writeHead(200, { 'Content-Length': 0 });
      response.end();
      return;
    }
    let soap: SoapRequest;
    try {
      soap = parseSoapRequest(body.toString('utf8'));
    } catch (error) {
      if (!(error instanceof MalformedRequest)) throw error;
      response.writeHead(400, { 'Content-Length': 0 });
      response.end();
      return;
    }
    const entry = this.log({ ...entryBase, user: outcome.user }, soap, 200, undefined, undefined);
    const injected = this.takeFailure(soap.operation);
    if (injected?.kind === 'wrong-relates-to') soap.messageId = `uuid:${windowsGuid()}`;
    else if (injected !== undefined) {
      await this.applyFailure(injected, soap, request, response, entry);
      return;
    }
    const answer = await this.dispatch(soap, outcome.user, request, response, entry);
    if (answer === undefined) return;
    entry.status = answer.status;
    entry.fault = answer.fault;
    const xml = this.options.activityId === true ? answer.xml.replace('</a:MessageID>', `</a:MessageID><p:ActivityId>${windowsGuid()}</p:ActivityId>`) : answer.xml;
    const bytes = Buffer.from(xml, 'utf8');
    response.writeHead(answer.status, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': bytes.length });
    response.end(bytes);
  }

  private log(
    base: { headers: IncomingMessage['headers']; authScheme: RequestLogEntry['authScheme']; user?: string },
    soap: SoapRequest | undefined,
    status: number,
    commandLine: string | undefined,
    fault: string | undefined,
  ): RequestLogEntry {
    const body = soap?.body;
    const signal = body && child(body, NS.rsp, 'Signal');
    const receive = body && child(body, NS.rsp, 'Receive');
    const stream = body && (child(body, NS.rsp, 'Send') ?? undefined);
    const commandId =
      signal?.getAttribute('CommandId') ??
      (receive && child(receive, NS.rsp, 'DesiredStream')?.getAttribute('CommandId')) ??
      (stream && child(stream, NS.rsp, 'Stream')?.getAttribute('CommandId')) ??
      undefined;
    const entry: RequestLogEntry = {
      operation: soap?.operation,
      action: soap?.action ?? '',
      messageId: soap?.messageId,
      operationTimeout: soap?.operationTimeout,
      authScheme: base.authScheme,
      user: base.user,
      options: soap?.options ?? {},
      selectors: soap?.selectors ?? {},
      commandId: commandId ?? undefined,
      signalCode: text(signal && child(signal, NS.rsp, 'Code')),
      commandLine,
      powershell: undefined,
      status,
      fault,
      headers: base.headers,
    };
    this.requests.push(entry);
    return entry;
  }

  private takeFailure(operation: OperationName | undefined): InjectedFailure | undefined {
    const index = this.failures.findIndex((pending) => pending.operation === undefined || pending.operation === operation);
    if (index < 0) return undefined;
    const pending = this.failures[index];
    if (pending === undefined) return undefined;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.failures.splice(index, 1);
    return pending.failure;
  }

  private async applyFailure(failure: InjectedFailure, soap: SoapRequest, request: IncomingMessage, response: ServerResponse, entry: RequestLogEntry): Promise<void> {
    if (failure.kind === 'drop') {
      entry.status = 0;
      await new Promise((resolve) => setTimeout(resolve, failure.afterMs ?? 0));
      request.socket.destroy();
      return;
    }
    if (failure.kind === 'empty-500') {
      entry.status = 500;
      response.writeHead(500, { 'Content-Length': 0 });
      response.end();
      return;
    }
    if (failure.kind === 'wrong-relates-to') return;
    if (failure.kind === 'status-401') {
      entry.status = 401;
      response.writeHead(401, { 'WWW-Authenticate': challengeHeaders(this.auth), 'Content-Length': 0 });
      response.end();
      return;
    }
    const xml = this.fault(soap, FAULTS[failure.fault]);
    entry.status = 500;
    entry.fault = FAULTS[failure.fault].subcode;
    const bytes = Buffer.from(xml.xml, 'utf8');
    response.writeHead(500, { 'Content-Type': 'application/soap+xml;charset=UTF-8', 'Content-Length': bytes.length });
    response.end(bytes);
  }

  private fault(soap: SoapRequest, spec: FaultSpec): { status: number; xml: string; fault: string } {
    return { status: 500, xml: faultEnvelope(soap.messageId, faultBody(spec, this.auth.computerName)), fault: spec.subcode };
  }

  private async dispatch(
    soap: SoapRequest,
    user: string,
    request: IncomingMessage,
    response: ServerResponse,
    entry: RequestLogEntry,
  ): Promise<{ status: number; xml: string; fault?: string } | undefined> {
    if (soap.operation === undefined) return this.fault(soap, FAULTS.actionNotSupported);
    if (soap.resourceUri !== SHELL_CMD_URI) return this.fault(soap, FAULTS.invalidResourceUri);
    if (soap.operation === 'Create') return this.create(soap, user, request);
    const shellId = soap.selectors.ShellId ?? '';
    const shell = this.shells.get(shellId.toUpperCase());
    if (shell === undefined) return this.fault(soap, unknownShellFault(shellId));
    switch (soap.operation) {
      case 'Command':
        return this.command(soap, shell, entry);
      case 'Receive':
        return await this.receive(soap, shell, request, response);
      case 'Send':
        return this.send(soap, shell);
      case 'Signal':
        return this.signal(soap, shell);
      case 'Delete':
        for (const command of shell.commands.values()) command.stop(this.options.signalledExitCode ?? 3221225786);
        this.shells.delete(shell.id);
        return { status: 200, xml: deleteResponse(soap.messageId) };
    }
  }

  private create(soap: SoapRequest, user: string, request: IncomingMessage): { status: number; xml: string; fault?: string } {
    const owned = [...this.shells.values()].filter((shell) => shell.owner === user).length;
    if (owned >= (this.options.maxShellsPerUser ?? 30)) return this.fault(soap, FAULTS.quotaLimit);
    const shellElement = soap.body && child(soap.body, NS.rsp, 'Shell');
    const variables = shellElement && child(shellElement, NS.rsp, 'Environment');
    const environment: [string, string][] = (variables ? children(variables, NS.rsp, 'Variable') : []).map((variable) => [
      variable.getAttribute('Name') ?? '',
      variable.textContent ?? '',
    ]);
    const codepage = Number(soap.options.WINRS_CODEPAGE ?? 437);
    const shell: FakeShell = {
      id: windowsGuid(),
      owner: user,
      codepage: Number.isFinite(codepage) ? codepage : 437,
      environment,
      workingDirectory: text(shellElement && child(shellElement, NS.rsp, 'WorkingDirectory')),
      commands: new Map(),
    };
    this.shells.set(shell.id, shell);
    const clientIp = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    return {
      status: 200,
      xml: createResponse(soap.messageId, {
        shellId: shell.id,
        address: this.url,
        owner: user,
        clientIp,
        environment,
        workingDirectory: shell.workingDirectory,
      }),
    };
  }

  private command(soap: SoapRequest, shell: FakeShell, entry: RequestLogEntry): { status: number; xml: string; fault?: string } {
    const line = soap.body && child(soap.body, NS.rsp, 'CommandLine');
    const command = text(line && child(line, NS.rsp, 'Command')) ?? '';
    const args = line ? children(line, NS.rsp, 'Arguments').map((element) => element.textContent ?? '') : [];
    const commandLine = [command, ...args].join(' ');
    const skipCmdShell = /^true$/i.test(soap.options.WINRS_SKIP_CMD_SHELL ?? 'false');
    entry.commandLine = commandLine;
    if (skipCmdShell && !command.includes('\\')) return this.fault(soap, FAULTS.fileNotFound);
    if (!skipCmdShell && commandLine.length > MAX_COMMAND_LINE) return this.fault(soap, FAULTS.commandLineTooLong);
    const invocation: CommandInvocation = {
      command,
      arguments: args,
      commandLine,
      powershell: decodeEncodedCommand(commandLine),
      shellId: shell.id,
      codepage: shell.codepage,
      environment: Object.fromEntries(shell.environment),
      workingDirectory: shell.workingDirectory,
      skipCmdShell,
    };
    entry.powershell = invocation.powershell;
    const steps = this.commands.resolve(invocation) ?? builtInSteps(invocation, () => this.bootTime.toISOString());
    const fake = new FakeCommand(windowsGuid(), invocation, steps);
    fake.on('reboot', () => {
      // Restart-Computer returns at once; the machine goes down a moment later.
      setTimeout(() => void this.reboot(), this.options.reboot?.dropAfterMs ?? 100);
    });
    shell.commands.set(fake.commandId, fake);
    fake.start();
    return { status: 200, xml: commandResponse(soap.messageId, fake.commandId) };
  }

  private async receive(
    soap: SoapRequest,
    shell: FakeShell,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<{ status: number; xml: string; fault?: string } | undefined> {
    const receive = soap.body && child(soap.body, NS.rsp, 'Receive');
    const desired = receive && child(receive, NS.rsp, 'DesiredStream');
    const commandId = desired?.getAttribute('CommandId') ?? '';
    if (commandId === '') return this.fault(soap, FAULTS.missingCommandId);
    const command = shell.commands.get(commandId.toUpperCase());
    if (command === undefined || command.doneDelivered) return this.fault(soap, FAULTS.unknownCommand);
    const requested = parseIsoDuration(soap.operationTimeout) ?? 60_000;
    const waitMs = Math.min(requested, this.options.operationTimeoutCapMs ?? requested);
    const ready = await waitForOutput(command, waitMs, request, response);
    if (ready === 'gone') return undefined;
    if (ready === 'timeout') {
      command.noteTimedOutPoll();
      return this.fault(soap, FAULTS.timedOut);
    }
    const chunks = takeChunks(command.queue, this.options.maxChunkBytes ?? 8192, maxResponseBytes(soap.maxEnvelopeSize));
    const finished = command.done && command.queue.length === 0;
    if (finished) command.doneDelivered = true;
    return {
      status: 200,
      xml: receiveResponse(soap.messageId, command.commandId, chunks, finished ? { exitCode: command.exitCode ?? 0 } : undefined),
    };
  }

  private send(soap: SoapRequest, shell: FakeShell): { status: number; xml: string; fault?: string } {
    const send = soap.body && child(soap.body, NS.rsp, 'Send');
    const stream = send && child(send, NS.rsp, 'Stream');
    const command = shell.commands.get((stream?.getAttribute('CommandId') ?? '').toUpperCase());
    if (command === undefined) return this.fault(soap, FAULTS.unknownCommand);
    command.feedStdin(Buffer.from(stream?.textContent ?? '', 'base64'), /^true$/i.test(stream?.getAttribute('End') ?? ''));
    return { status: 200, xml: sendResponse(soap.messageId) };
  }

  private signal(soap: SoapRequest, shell: FakeShell): { status: number; xml: string; fault?: string } {
    const signal = soap.body && child(soap.body, NS.rsp, 'Signal');
    const command = shell.commands.get((signal?.getAttribute('CommandId') ?? '').toUpperCase());
    if (command === undefined) return this.fault(soap, FAULTS.unknownCommand);
    const code = text(signal && child(signal, NS.rsp, 'Code'))?.trim();
    if (code !== SIGNALS.terminate && code !== SIGNALS.ctrlC && code !== SIGNALS.ctrlBreak) return this.fault(soap, FAULTS.missingCommandId);
    command.stop(this.options.signalledExitCode ?? 3221225786);
    if (code === SIGNALS.terminate) shell.commands.delete(command.commandId);
    return { status: 200, xml: signalResponse(soap.messageId) };
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Holds a Receive until the command has output or ends, the wait runs out, or the client goes away. */
async function waitForOutput(
  command: FakeCommand,
  waitMs: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<'ready' | 'timeout' | 'gone'> {
  if (command.queue.length > 0 || command.done) return 'ready';
  return await new Promise((resolve) => {
    const finish = (result: 'ready' | 'timeout' | 'gone'): void => {
      clearTimeout(timer);
      command.off('change', onChange);
      response.off('close', onClose);
      resolve(result);
    };
    // Output written in one burst goes out in one response, as Windows batches it.
    const onChange = (): void => void setTimeout(() => finish('ready'), 5);
    const onClose = (): void => {
      if (!response.writableFinished) finish('gone');
    };
    const timer = setTimeout(() => finish('timeout'), waitMs);
    command.on('change', onChange);
    response.on('close', onClose);
    void request;
  });
}

function maxResponseBytes(maxEnvelopeSize: string | undefined): number {
  const envelope = Number(maxEnvelopeSize ?? 153600);
  // Room for the envelope around the streams; base64 grows bytes by 4/3.
  return Math.max(1024, Math.floor(((Number.isFinite(envelope) ? envelope : 153600) - 4096) * 0.75));
}

function takeChunks(queue: StreamChunk[], maxChunk: number, budget: number): StreamChunk[] {
  const taken: StreamChunk[] = [];
  let used = 0;
  while (queue.length > 0 && used < budget) {
    const next = queue[0];
    if (next === undefined) break;
    const size = Math.min(next.bytes.length, maxChunk, budget - used);
    if (size >= next.bytes.length) {
      queue.shift();
      taken.push(next);
    } else {
      taken.push({ stream: next.stream, bytes: next.bytes.subarray(0, size) });
      next.bytes = next.bytes.subarray(size);
    }
    used += size;
  }
  return taken;
}
