import { WinrmHttpError, WsmanFaultError } from './errors.js';
import {
  commandMessage,
  createShellMessage,
  deleteShellMessage,
  receiveMessage,
  signalMessage,
  type HeaderSettings,
  type OutgoingMessage,
} from './envelope.js';
import type { Lane, WsmanChannel } from './http-channel.js';
import { SIGNAL_TERMINATE, WSMAN_CODE } from './namespaces.js';
import { descendant, parseSoapResponse, readFault, readReceive, textOf, type SoapResponse } from './soap-response.js';
import { NS } from './namespaces.js';

export interface WinRsSettings extends HeaderSettings {
  codepage: number;
  /** Attempts at a Receive whose connection broke before the answer came (the command keeps running on the host). */
  receiveRetries: number;
}

export interface RunHandlers {
  onChunk: (stream: 'stdout' | 'stderr', bytes: Buffer) => void;
  signal?: AbortSignal;
}

/**
 * The WinRS conversation over one shell (WINRM.md §1.7): Create → Command → Receive until Done (an
 * OperationTimeout fault means "still running") → Signal terminate → … → Delete.
 */
export class WinRsClient {
  private shell: string | undefined;

  constructor(
    private readonly channel: WsmanChannel,
    private readonly settings: WinRsSettings,
  ) {}

  get shellId(): string | undefined {
    return this.shell;
  }

  async openShell(signal?: AbortSignal): Promise<string> {
    if (this.shell !== undefined) return this.shell;
    const response = await this.call(createShellMessage(this.settings, { codepage: this.settings.codepage, noProfile: true }), 'main', signal);
    const selector = Array.from(response.body.getElementsByTagNameNS(NS.w, 'Selector')).find((element) => element.getAttribute('Name') === 'ShellId');
    const shellId = textOf(selector ?? descendant(response.body, NS.rsp, 'ShellId'))?.trim();
    if (shellId === undefined || shellId === '') throw new WinrmHttpError('protocol', 'the host created a shell but its answer names no ShellId');
    this.shell = shellId;
    return shellId;
  }

  /** Forgets the shell without telling the host (it is gone already, e.g. after a reboot). */
  forgetShell(): void {
    this.shell = undefined;
  }

  async startCommand(command: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
    const shellId = await this.openShell(signal);
    const response = await this.call(commandMessage(this.settings, shellId, command, args), 'main', signal);
    const commandId = textOf(descendant(response.body, NS.rsp, 'CommandId'))?.trim();
    if (commandId === undefined || commandId === '') throw new WinrmHttpError('protocol', 'the host accepted the command but its answer names no CommandId');
    return commandId;
  }

  /** Receives until the command is Done; resolves with its exit code. */
  async receiveUntilDone(commandId: string, handlers: RunHandlers): Promise<number> {
    const shellId = this.requireShell();
    let brokenConnections = 0;
    for (;;) {
      let response: SoapResponse;
      try {
        response = await this.call(receiveMessage(this.settings, shellId, commandId), 'main', handlers.signal);
      } catch (error) {
        if (error instanceof WsmanFaultError && error.wsmanCode === WSMAN_CODE.operationTimeout) continue;
        if (error instanceof WinrmHttpError && error.kind === 'unreachable' && brokenConnections < this.settings.receiveRetries) {
          brokenConnections += 1;
          continue;
        }
        throw error;
      }
      brokenConnections = 0;
      const output = readReceive(response.body, commandId);
      for (const chunk of output.chunks) handlers.onChunk(chunk.stream, chunk.bytes);
      if (output.done) return output.exitCode ?? 0;
    }
  }

  /** Signal terminate: stops a running command, or releases a finished one. */
  async terminate(commandId: string, lane: Lane = 'main', signal?: AbortSignal): Promise<void> {
    const shellId = this.requireShell();
    await this.call(signalMessage(this.settings, shellId, commandId, SIGNAL_TERMINATE), lane, signal);
  }

  async closeShell(signal?: AbortSignal): Promise<void> {
    const shellId = this.shell;
    if (shellId === undefined) return;
    this.shell = undefined;
    await this.call(deleteShellMessage(this.settings, shellId), 'main', signal);
  }

  private requireShell(): string {
    if (this.shell === undefined) throw new WinrmHttpError('protocol', 'no open shell: call openShell() first');
    return this.shell;
  }

  private async call(message: OutgoingMessage, lane: Lane, signal?: AbortSignal): Promise<SoapResponse> {
    const answer = await this.channel.post(message.xml, lane, signal);
    if (answer.status === 500 && answer.body.length === 0) {
      throw new WinrmHttpError('protocol', 'the host answered HTTP 500 with an empty body (no SOAP fault to say why); see the WinRM event log on the host');
    }
    if (answer.status !== 200 && answer.status !== 500) {
      throw new WinrmHttpError('protocol', `the host answered HTTP ${answer.status}; expected 200, or 500 with a SOAP fault`);
    }
    const response = parseSoapResponse(answer.body.toString('utf8'));
    const fault = readFault(response.body);
    if (fault !== undefined) throw fault;
    if (answer.status === 500) throw new WinrmHttpError('protocol', 'the host answered HTTP 500 with a body that is not a SOAP fault');
    if (response.relatesTo?.toUpperCase() !== message.messageId.toUpperCase()) {
      throw new WinrmHttpError(
        'protocol',
        `the answer relates to ${response.relatesTo ?? 'no message'}, not to the request ${message.messageId}; a proxy or the host mixed up conversations`,
      );
    }
    return response;
  }
}
