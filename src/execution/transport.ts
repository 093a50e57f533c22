import type { FailureClass } from '../domain/failure-class.js';
import { AppError } from '../errors.js';

/**
 * The port through which every playbook step reaches a customer system. Implementations: `ssh/`, `winrm/`,
 * `local/`. One Transport instance serves one host for the length of a run (one connection reused for all
 * steps); it is not shared between hosts.
 */
export interface Transport {
  /** `ssh`, `winrm` or `local` (or a bench/test transport's own name). */
  readonly kind: string;
  /** The host this transport talks to, for messages. */
  readonly hostId: string;
  /** The shell that `exec` hands commands to: quoting of parameters depends on it. */
  readonly shell: 'posix' | 'powershell' | 'cmd';
  /** Opens the connection (idempotent). Throws `TransportError`. */
  connect(): Promise<void>;
  /**
   * Runs one command. Resolves with the exit code whatever it is (a non-zero exit is the caller's decision);
   * rejects with `TransportError` for connection problems, time-outs and cancellation.
   */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /**
   * Issues the OS's reboot, waits for the connection to drop, polls until the host answers again, and checks
   * that the boot time changed. Rejects with class `reboot-timeout` when the host does not return in time.
   */
  reboot(options?: RebootOptions): Promise<RebootResult>;
  /** Closes the connection (idempotent; safe after a failure). */
  close(): Promise<void>;
}

export interface ExecOptions {
  /** Time limit for the command; on expiry the remote process is stopped and `timeout` is thrown. */
  timeoutMs?: number;
  /** Cancels the command: the remote process is stopped and `cancelled` is thrown. */
  signal?: AbortSignal;
  /** Run with elevated rights (sudo without a tty on POSIX; ignored where the session is already elevated). */
  become?: boolean;
  /** Called with each complete line of output as it arrives (without the newline). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Bytes kept per stream; the rest is counted in `*TruncatedBytes`, not kept. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Labels for error messages: which step and attempt this is. */
  step?: string;
  attempt?: number;
  /** For WinRM: run `command` as PowerShell (sent as -EncodedCommand). */
  powershell?: boolean;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutTruncatedBytes: number;
  stderrTruncatedBytes: number;
  durationMs: number;
}

export interface RebootOptions {
  /** How long the host may take to come back. Default 15 minutes. */
  timeoutMs?: number;
  /** Interval between reconnection attempts. Default 5 seconds. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

export interface RebootResult {
  bootTimeBefore: string;
  bootTimeAfter: string;
  durationMs: number;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** A transport failure with its class and where it happened. */
export class TransportError extends AppError {
  readonly failureClass: FailureClass;
  readonly hostId: string;
  readonly step: string | undefined;
  readonly attempt: number | undefined;
  readonly retryable: boolean;

  constructor(
    failureClass: FailureClass,
    message: string,
    context: { hostId: string; step?: string; attempt?: number; cause?: unknown },
  ) {
    const where = [`host ${context.hostId}`];
    if (context.step !== undefined) where.push(`step "${context.step}"`);
    if (context.attempt !== undefined) where.push(`attempt ${context.attempt}`);
    super('internal', `${failureClass}: ${message} (${where.join(', ')})`, { cause: context.cause });
    this.failureClass = failureClass;
    this.hostId = context.hostId;
    this.step = context.step;
    this.attempt = context.attempt;
    this.retryable = failureClass === 'unreachable' || failureClass === 'timeout';
  }
}
