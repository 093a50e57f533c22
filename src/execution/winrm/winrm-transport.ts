import type { FailureClass } from '../../domain/failure-class.js';
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  TransportError,
  type ExecOptions,
  type ExecResult,
  type RebootOptions,
  type RebootResult,
  type Transport,
} from '../transport.js';
import { WinrmHttpError, WsmanFaultError } from './errors.js';
import { WsmanChannel } from './http-channel.js';
import { WSMAN_CODE } from './namespaces.js';
import { OutputCapture } from '../output-capture.js';
import { decodeClixml, MAX_COMMAND_LINE, powerShellCommand } from './powershell.js';
import { WinRsClient } from './winrs-client.js';

export interface WinrmTransportOptions {
  hostId: string;
  address: string;
  /** Default 5985 for http, 5986 for https. */
  port?: number;
  /** Default https. */
  scheme?: 'http' | 'https';
  /** Default `/wsman`. */
  path?: string;
  user: string;
  /** The resolved password (never logged, never put into an error). */
  password: string;
  /** Default ntlm. */
  auth?: 'basic' | 'ntlm';
  /** PEM of the CA that signs the host's certificate. */
  ca?: string | Buffer;
  /** SHA-256 fingerprint of the host's certificate (`AB:CD:…` or plain hex): pins it. */
  certificateFingerprint?: string;
  /** WS-Management OperationTimeout: how long the host holds a Receive without output. Default 20 s. */
  operationTimeoutMs?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** How `exec` runs a command when the caller does not say: as PowerShell (default) or through cmd.exe. */
  shell?: 'powershell' | 'cmd';
  logger?: Logger;
}

const BOOT_TIME_SCRIPT = "(Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime().ToString('o')";
const RESTART_SCRIPT = 'Restart-Computer -Force';

/** A `Transport` to a Windows host over WinRM (WinRS cmd shell). One shell is reused for every command. */
export class WinrmTransport implements Transport {
  readonly kind = 'winrm';
  readonly hostId: string;
  readonly shell: 'powershell' | 'cmd';
  private channel: WsmanChannel;
  private client: WinRsClient;
  private readonly logger: Logger;
  private readonly operationTimeoutMs: number;

  constructor(private readonly options: WinrmTransportOptions) {
    this.hostId = options.hostId;
    this.shell = options.shell ?? 'powershell';
    this.logger = (options.logger ?? silentLogger()).child({ transport: 'winrm', host: options.hostId });
    this.operationTimeoutMs = options.operationTimeoutMs ?? 20_000;
    this.channel = this.createChannel();
    this.client = this.createClient();
  }

  async connect(): Promise<void> {
    try {
      await this.client.openShell();
    } catch (error) {
      throw this.toTransportError(error, {});
    }
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    const context = { step: options.step, attempt: options.attempt };
    const asPowerShell = options.powershell ?? this.shell === 'powershell';
    const line = asPowerShell ? powerShellCommand(command) : { command, args: [] as string[], length: command.length };
    if (line.length > MAX_COMMAND_LINE) {
      throw new TransportError(
        'internal',
        `the command line would be ${line.length} characters, over cmd.exe's limit of ${MAX_COMMAND_LINE}${asPowerShell ? ' (a PowerShell script grows about 2.7 times as -EncodedCommand)' : ''}; split the step or copy a script file to the host first`,
        { hostId: this.hostId, ...context },
      );
    }
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new OutputCapture(maxBytes, options.onLine && ((text) => options.onLine?.('stdout', text)));
    // PowerShell's stderr is CLIXML: its lines are decoded as a whole at the end.
    const stderr = new OutputCapture(maxBytes, asPowerShell ? undefined : options.onLine && ((text) => options.onLine?.('stderr', text)));

    const controller = new AbortController();
    let stopReason: 'timeout' | 'cancelled' | undefined;
    const stop = (reason: 'timeout' | 'cancelled'): void => {
      stopReason ??= reason;
      controller.abort();
    };
    const onCallerAbort = (): void => stop('cancelled');
    if (options.signal?.aborted === true) stop('cancelled');
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), options.timeoutMs);

    let commandId: string | undefined;
    try {
      commandId = await this.startCommand(line.command, line.args, controller.signal);
      this.logger.debug({ step: options.step, commandId }, 'command started');
      const exitCode = await this.client.receiveUntilDone(commandId, {
        signal: controller.signal,
        onChunk: (stream, bytes) => (stream === 'stdout' ? stdout : stderr).push(bytes),
      });
      stdout.end();
      stderr.end();
      await this.client.terminate(commandId).catch((error: unknown) => this.logger.debug({ err: String(error) }, 'signal after Done failed'));
      let stderrText = stderr.text;
      if (asPowerShell) {
        stderrText = decodeClixml(stderrText);
        if (options.onLine !== undefined) for (const text of splitLines(stderrText)) options.onLine('stderr', text);
      }
      return {
        exitCode,
        stdout: stdout.text,
        stderr: stderrText,
        stdoutTruncatedBytes: stdout.truncatedBytes,
        stderrTruncatedBytes: stderr.truncatedBytes,
        durationMs: Date.now() - started,
      };
    } catch (error) {
      if (stopReason !== undefined) {
        await this.stopRemote(commandId);
        const message =
          stopReason === 'timeout'
            ? `the command did not finish within ${options.timeoutMs} ms; it was stopped on the host (Signal terminate)`
            : 'the command was cancelled; it was stopped on the host (Signal terminate)';
        throw new TransportError(stopReason, message, { hostId: this.hostId, ...context, cause: error });
      }
      throw this.toTransportError(error, context);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async reboot(options: RebootOptions = {}): Promise<RebootResult> {
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 15 * 60_000;
    const pollMs = options.pollIntervalMs ?? 5_000;
    const deadline = started + timeoutMs;
    const bootTimeBefore = await this.bootTime(options.signal);
    this.logger.info({ bootTimeBefore }, 'rebooting');
    try {
      await this.exec(RESTART_SCRIPT, { powershell: true, timeoutMs: this.operationTimeoutMs, signal: options.signal, step: 'reboot' });
    } catch (error) {
      // The host may drop the connection before it answers: that is the reboot starting.
      if (!(error instanceof TransportError) || (error.failureClass !== 'unreachable' && error.failureClass !== 'internal')) throw error;
    }
    // The shell dies with the host; a fresh one is opened when it answers again.
    let sawDrop = false;
    while (Date.now() < deadline) {
      if (options.signal?.aborted === true) throw new TransportError('cancelled', 'the reboot wait was cancelled', { hostId: this.hostId, step: 'reboot' });
      await sleep(pollMs, options.signal);
      let bootTimeAfter: string;
      try {
        bootTimeAfter = await this.bootTime(options.signal, Math.max(1_000, Math.min(pollMs * 4, deadline - Date.now())));
      } catch (error) {
        if (error instanceof TransportError && error.failureClass === 'cancelled') throw error;
        sawDrop = true;
        this.resetConnection();
        continue;
      }
      if (bootTimeAfter !== bootTimeBefore) {
        this.logger.info({ bootTimeAfter }, 'host is back');
        return { bootTimeBefore, bootTimeAfter, durationMs: Date.now() - started };
      }
    }
    throw new TransportError(
      'reboot-timeout',
      sawDrop
        ? `the host went down but did not answer with a new boot time within ${timeoutMs} ms`
        : `the host kept answering with the old boot time ${bootTimeBefore} for ${timeoutMs} ms: the restart did not happen`,
      { hostId: this.hostId, step: 'reboot' },
    );
  }

  async close(): Promise<void> {
    try {
      await this.client.closeShell();
    } catch (error) {
      this.logger.debug({ err: String(error) }, 'deleting the shell failed; the host drops it after its idle timeout');
    } finally {
      this.channel.close();
    }
  }

  private async startCommand(command: string, args: readonly string[], signal: AbortSignal): Promise<string> {
    try {
      return await this.client.startCommand(command, args, signal);
    } catch (error) {
      // The shell is gone (host restarted, idle timeout): open a new one once.
      if (error instanceof WsmanFaultError && error.wsmanCode === WSMAN_CODE.invalidSelectors) {
        this.client.forgetShell();
        return await this.client.startCommand(command, args, signal);
      }
      throw error;
    }
  }

  private async bootTime(signal: AbortSignal | undefined, timeoutMs = this.operationTimeoutMs * 2): Promise<string> {
    const result = await this.exec(BOOT_TIME_SCRIPT, { powershell: true, timeoutMs, signal, step: 'boot time' });
    const value = result.stdout.trim();
    if (result.exitCode !== 0 || value === '') {
      throw new TransportError('internal', `reading the boot time failed (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 200)}`, { hostId: this.hostId, step: 'boot time' });
    }
    return value;
  }

  private async stopRemote(commandId: string | undefined): Promise<void> {
    // The main lane may still hold an aborted long-poll; Signal goes on the other one.
    this.channel.resetLane('main');
    if (commandId === undefined) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.operationTimeoutMs);
    try {
      await this.client.terminate(commandId, 'control', controller.signal);
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'could not stop the command on the host');
    } finally {
      clearTimeout(timer);
    }
  }

  private resetConnection(): void {
    this.channel.close();
    this.channel = this.createChannel();
    this.client = this.createClient();
  }

  private createChannel(): WsmanChannel {
    const scheme = this.options.scheme ?? 'https';
    const port = this.options.port ?? (scheme === 'http' ? 5985 : 5986);
    const host = this.options.address.includes(':') && !this.options.address.startsWith('[') ? `[${this.options.address}]` : this.options.address;
    return new WsmanChannel({
      url: new URL(`${scheme}://${host}:${port}${this.options.path ?? '/wsman'}`),
      auth: this.options.auth ?? 'ntlm',
      user: this.options.user,
      password: this.options.password,
      ca: this.options.ca,
      certificateFingerprint: this.options.certificateFingerprint,
      // pywinrm's rule: the HTTP read timeout must outlast the OperationTimeout the host may hold a Receive.
      requestTimeoutMs: this.operationTimeoutMs + 10_000,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
    });
  }

  private createClient(): WinRsClient {
    return new WinRsClient(this.channel, {
      to: this.channel.endpoint,
      operationTimeoutMs: this.operationTimeoutMs,
      maxEnvelopeSize: 153600,
      codepage: 65001,
      receiveRetries: 3,
    });
  }

  private toTransportError(error: unknown, context: { step?: string; attempt?: number }): TransportError {
    if (error instanceof TransportError) return error;
    const where = { hostId: this.hostId, ...context, cause: error };
    if (error instanceof WsmanFaultError) {
      const hint =
        error.wsmanCode === WSMAN_CODE.quotaLimit
          ? '; too many open shells for this user (MaxShellsPerUser): close idle sessions or raise the quota'
          : error.wsmanCode === WSMAN_CODE.commandLineTooLong
            ? '; the command line is too long for cmd.exe'
            : '';
      return new TransportError('internal', `${error.message}${hint}`, where);
    }
    if (error instanceof WinrmHttpError) {
      const classes: Record<WinrmHttpError['kind'], FailureClass> = {
        unreachable: 'unreachable',
        auth: 'auth',
        timeout: 'timeout',
        tls: 'host-key',
        protocol: 'internal',
        cancelled: 'cancelled',
      };
      return new TransportError(classes[error.kind], error.message, where);
    }
    return new TransportError('internal', `unexpected error: ${(error as Error)?.message ?? String(error)}`, where);
  }
}

export function createWinrmTransport(options: WinrmTransportOptions): WinrmTransport {
  return new WinrmTransport(options);
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
