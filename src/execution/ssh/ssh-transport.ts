import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import { TransportError, type ExecOptions, type ExecResult, type RebootOptions, type RebootResult, type Transport } from '../transport.js';
import { rebootOverSsh } from './reboot.js';
import { runCommand } from './run-command.js';
import { openConnection, type OpenConnection } from './ssh-connection.js';
import type { SshTransportOptions } from './ssh-options.js';

/**
 * The SSH transport: one authenticated connection per host, opened on first use and reused by every step
 * (each step is one exec channel); reopened on the next step if it dropped.
 */
export class SshTransport implements Transport {
  readonly kind = 'ssh';
  readonly shell = 'posix' as const;
  readonly hostId: string;
  private connection: OpenConnection | undefined;
  private connecting: Promise<OpenConnection> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: SshTransportOptions) {
    this.hostId = options.hostId;
    this.logger = (options.logger ?? silentLogger()).child({ hostId: options.hostId, transport: 'ssh' });
  }

  async connect(): Promise<void> {
    await this.open({});
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (options.powershell === true) {
      throw new TransportError('step-failed', 'the ssh transport runs commands with the POSIX login shell and cannot run PowerShell; run Windows playbooks over winrm', {
        hostId: this.hostId,
        step: options.step,
        attempt: options.attempt,
      });
    }
    const connection = await this.open({ step: options.step, attempt: options.attempt });
    const result = await runCommand(connection, this.hostId, command, options);
    this.logger.debug({ step: options.step, attempt: options.attempt, exitCode: result.exitCode, durationMs: result.durationMs }, 'ssh command finished');
    return result;
  }

  async reboot(options: RebootOptions = {}): Promise<RebootResult> {
    return await rebootOverSsh(
      {
        hostId: this.hostId,
        exec: (command, execOptions) => this.exec(command, execOptions),
        connected: () => this.connection,
        probe: async (connection, timeoutMs) => {
          await runCommand(connection, this.hostId, 'true', { step: 'reboot', timeoutMs });
        },
        reconnect: async (connectTimeoutMs) => {
          this.drop();
          await this.open({ step: 'reboot' }, connectTimeoutMs);
        },
        drop: () => this.drop(),
        logger: this.logger,
      },
      this.options.reboot ?? {},
      options,
    );
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.drop();
    if (connection !== undefined) await Promise.race([connection.closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private drop(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private async open(context: { step?: string; attempt?: number }, connectTimeoutMs?: number): Promise<OpenConnection> {
    if (this.connection !== undefined) return this.connection;
    // Steps that start together share one connection attempt instead of racing to open several.
    this.connecting ??= (async () => {
      try {
        const options = connectTimeoutMs === undefined ? this.options : { ...this.options, connectTimeoutMs };
        const connection = await openConnection(options, context);
        this.connection = connection;
        void connection.closed.then(() => {
          if (this.connection === connection) this.connection = undefined;
          this.logger.debug('ssh connection closed');
        });
        this.logger.debug({ host: this.options.host, port: this.options.port }, 'ssh connected');
        return connection;
      } finally {
        this.connecting = undefined;
      }
    })();
    return await this.connecting;
  }
}

export function createSshTransport(options: SshTransportOptions): SshTransport {
  return new SshTransport(options);
}
