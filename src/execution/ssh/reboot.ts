import type { Logger } from '../../platform/logger.js';
import { TransportError, type ExecOptions, type ExecResult, type RebootOptions, type RebootResult } from '../transport.js';
import type { OpenConnection } from './ssh-connection.js';
import type { RebootCommands } from './ssh-options.js';

export const DEFAULT_REBOOT_COMMAND = 'systemctl reboot || shutdown -r now';
export const DEFAULT_BOOT_ID_COMMAND = 'cat /proc/sys/kernel/random/boot_id';
const DEFAULT_REBOOT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_POLL_INTERVAL_MS = 5_000;
/** The reboot command itself should return (or drop the connection) quickly. */
const ISSUE_TIMEOUT_MS = 60_000;

export interface RebootDeps {
  hostId: string;
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  connected(): OpenConnection | undefined;
  /** Runs a no-op on exactly this connection (never a new one); rejects when it is dead. */
  probe(connection: OpenConnection, timeoutMs: number): Promise<void>;
  reconnect(connectTimeoutMs: number): Promise<void>;
  drop(): void;
  logger: Logger;
}

/**
 * Reboots a host over SSH: reads the boot id, issues the reboot, waits for the connection to drop, reconnects
 * until the host answers, and accepts the reboot only when the boot id changed. Anything else by the deadline is
 * `reboot-timeout`; a host that comes back with a different host key fails at once with `host-key`.
 */
export async function rebootOverSsh(deps: RebootDeps, commands: RebootCommands, options: RebootOptions): Promise<RebootResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_REBOOT_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const deadline = started + timeoutMs;
  const context = { hostId: deps.hostId, step: 'reboot' };
  const bootIdCommand = commands.bootIdCommand ?? DEFAULT_BOOT_ID_COMMAND;
  const checkCancelled = () => {
    if (options.signal?.aborted === true) throw new TransportError('cancelled', 'reboot cancelled while waiting for the host', context);
  };

  const readBootId = async (): Promise<string> => {
    const result = await deps.exec(bootIdCommand, { step: 'reboot', timeoutMs: 30_000, signal: options.signal });
    const id = result.stdout.trim();
    if (result.exitCode !== 0 || id === '') {
      throw new TransportError('step-failed', `the boot-id command exited ${result.exitCode} with ${id === '' ? 'no output' : 'output'}: ${result.stderr.trim().slice(0, 200)}`, context);
    }
    return id;
  };

  const before = await readBootId();
  deps.logger.info({ bootId: before }, 'issuing reboot');
  const connection = deps.connected();
  try {
    const result = await deps.exec(commands.command ?? DEFAULT_REBOOT_COMMAND, { step: 'reboot', become: commands.become ?? true, timeoutMs: ISSUE_TIMEOUT_MS, signal: options.signal });
    if (result.exitCode !== 0) {
      throw new TransportError('step-failed', `the reboot command exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}`, context);
    }
  } catch (error) {
    // The connection dropping under the reboot command is the expected way for it to end.
    if (!(error instanceof TransportError) || (error.failureClass !== 'unreachable' && error.failureClass !== 'timeout')) throw error;
  }

  await waitForDrop(deps, connection, deadline, pollMs, options.signal);
  deps.logger.info('connection dropped; waiting for the host to come back');

  let lastProblem = 'the host did not answer';
  while (Date.now() < deadline) {
    checkCancelled();
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
    checkCancelled();
    if (Date.now() >= deadline) break;
    try {
      await deps.reconnect(Math.max(1000, Math.min(pollMs * 4, deadline - Date.now())));
      const after = await readBootId();
      if (after !== before) {
        deps.logger.info({ bootId: after }, 'host is back after reboot');
        return { bootTimeBefore: before, bootTimeAfter: after, durationMs: Date.now() - started };
      }
      // Same boot id: the reboot has not happened yet (a delayed shutdown) or did not happen at all.
      lastProblem = `the host answered but its boot id is still ${before}`;
      deps.drop();
    } catch (error) {
      if (error instanceof TransportError && (error.failureClass === 'host-key' || error.failureClass === 'cancelled')) throw error;
      lastProblem = error instanceof Error ? error.message : String(error);
    }
  }
  throw new TransportError('reboot-timeout', `the host did not come back with a new boot id within ${timeoutMs} ms (last: ${lastProblem})`, context);
}

/** Waits until the connection the reboot was issued on is gone, probing it so a silent loss is noticed too. */
async function waitForDrop(deps: RebootDeps, connection: OpenConnection | undefined, deadline: number, pollMs: number, signal: AbortSignal | undefined): Promise<void> {
  if (connection === undefined || deps.connected() !== connection) return;
  let gone = false;
  void connection.closed.then(() => (gone = true));
  while (!gone && Date.now() < deadline) {
    await Promise.race([connection.closed, sleep(pollMs, signal)]);
    if (gone) return;
    if (signal?.aborted === true) throw new TransportError('cancelled', 'reboot cancelled while waiting for the connection to drop', { hostId: deps.hostId, step: 'reboot' });
    try {
      await deps.probe(connection, pollMs);
    } catch {
      deps.drop();
      return;
    }
  }
  if (!gone) {
    throw new TransportError('reboot-timeout', 'the reboot command was issued but the connection never dropped; the host did not reboot', { hostId: deps.hostId, step: 'reboot' });
  }
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
