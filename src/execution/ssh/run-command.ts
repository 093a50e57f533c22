import { constants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { DEFAULT_MAX_OUTPUT_BYTES, TransportError, type ExecOptions, type ExecResult } from '../transport.js';
import { OutputCapture } from '../output-capture.js';
import { expectedMarkers, killCommand, parseMarker, wrapCommand } from './remote-process.js';
import type { OpenConnection } from './ssh-connection.js';

/** How long to wait for the wrapper's process-group line before giving up on a clean kill. */
const MARKER_WAIT_MS = 5_000;
/** Upper bound for the kill script (its own grace period is 2 s). */
const KILL_TIMEOUT_MS = 15_000;
/** stderr held back while looking for the marker line (a noisy login script could print before it). */
const MAX_MARKER_SEARCH_BYTES = 64 * 1024;

type Stop = 'timeout' | 'cancelled';

/**
 * Runs one command on an open connection: wraps it so it can be killed, streams and caps its output, and enforces
 * the time limit and cancellation by killing the remote process group before rejecting.
 */
export async function runCommand(connection: OpenConnection, hostId: string, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  const context = { hostId, step: options.step, attempt: options.attempt };
  const become = options.become === true;
  const started = performance.now();
  if (options.signal?.aborted === true) throw new TransportError('cancelled', 'cancelled before the command started', context);

  const { channel, exit } = await openExec(connection, wrapCommand(command, { become }), context);
  channel.end();
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const stdout = new OutputCapture(maxBytes, options.onLine && ((line) => options.onLine?.('stdout', line)));
  const stderr = new OutputCapture(maxBytes, options.onLine && ((line) => options.onLine?.('stderr', line)));

  // Process group ids the wrapper reports before the command starts (one, or two with become).
  const groups: number[] = [];
  const wanted = expectedMarkers({ become });
  let markerWaiters: Array<() => void> = [];
  const wakeMarkerWaiters = () => {
    for (const wake of markerWaiters) wake();
    markerWaiters = [];
  };
  let held: Buffer = Buffer.alloc(0);
  const onStderr = (chunk: Buffer) => {
    if (groups.length >= wanted) return stderr.push(chunk);
    held = Buffer.concat([held, chunk]);
    let newline = held.indexOf(0x0a);
    while (newline >= 0 && groups.length < wanted) {
      const line = held.subarray(0, newline).toString('utf8');
      const found = parseMarker(line);
      if (found !== undefined) groups.push(found);
      else stderr.push(held.subarray(0, newline + 1));
      held = held.subarray(newline + 1);
      newline = held.indexOf(0x0a);
    }
    if (groups.length >= wanted) {
      wakeMarkerWaiters();
      if (held.length > 0) stderr.push(held);
      held = Buffer.alloc(0);
    } else if (held.length > MAX_MARKER_SEARCH_BYTES) {
      stderr.push(held);
      held = Buffer.alloc(0);
    }
  };
  channel.on('data', (chunk: Buffer) => stdout.push(chunk));
  channel.stderr.on('data', onStderr);

  return await new Promise<ExecResult>((resolve, reject) => {
    let stopping: Stop | undefined;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    const stop = async (reason: Stop) => {
      if (stopping !== undefined) return;
      stopping = reason;
      cleanup();
      if (groups.length < wanted) {
        await new Promise<void>((wake) => {
          markerWaiters.push(wake);
          setTimeout(wake, MARKER_WAIT_MS).unref();
          channel.once('close', wake);
        });
      }
      const killed = groups.length === 0 ? 'its process group was never reported, so it may still run' : await killGroups(connection, groups, become);
      channel.close();
      const what = reason === 'timeout' ? `command exceeded its time limit of ${options.timeoutMs} ms` : 'command cancelled';
      reject(new TransportError(reason, `${what}; ${killed}`, context));
    };
    const onAbort = () => void stop('cancelled');

    if (options.timeoutMs !== undefined) timer = setTimeout(() => void stop('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while the channel was opening: the listener above will never fire.
    if (options.signal?.aborted === true) void stop('cancelled');

    channel.on('close', () => {
      if (stopping !== undefined) return;
      cleanup();
      if (held.length > 0) stderr.push(held);
      stdout.end();
      stderr.end();
      const exitCode = exit.code;
      if (exitCode === undefined) {
        reject(new TransportError('unreachable', 'the connection closed before the command reported an exit status; it may or may not have finished', context));
        return;
      }
      resolve({
        exitCode,
        stdout: stdout.text,
        stderr: stderr.text,
        stdoutTruncatedBytes: stdout.truncatedBytes,
        stderrTruncatedBytes: stderr.truncatedBytes,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

interface OpenedChannel {
  channel: ClientChannel;
  /** Filled in when the exit status arrives. */
  exit: { code?: number };
}

async function openExec(connection: OpenConnection, command: string, context: { hostId: string; step?: string; attempt?: number }): Promise<OpenedChannel> {
  return await new Promise<OpenedChannel>((resolve, reject) => {
    try {
      connection.client.exec(command, (error, channel) => {
        if (error) {
          reject(new TransportError('unreachable', `could not open a session channel: ${error.message}`, { ...context, cause: error }));
          return;
        }
        // Listen now, not after the promise settles: ssh2 may handle the exit status from the same socket read
        // before any awaiting code runs, and an 'exit' event without a listener is lost.
        const exit: OpenedChannel['exit'] = {};
        channel.on('exit', (code: number | null, signalName?: string) => {
          exit.code = code ?? signalExitCode(signalName);
        });
        resolve({ channel, exit });
      });
    } catch (error) {
      // ssh2 throws when the connection is already gone.
      reject(new TransportError('unreachable', `could not open a session channel: ${(error as Error).message}`, { ...context, cause: error }));
    }
  });
}

/** Runs the kill script on a second channel; returns a sentence for the error message. */
async function killGroups(connection: OpenConnection, groups: readonly number[], become: boolean): Promise<string> {
  const pgid = groups.join(', ');
  try {
    const { channel, exit } = await openExec(connection, killCommand(groups, { become }), { hostId: '' });
    channel.end();
    channel.resume();
    channel.stderr.resume();
    const code = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => {
        channel.close();
        resolve(undefined);
      }, KILL_TIMEOUT_MS);
      channel.on('close', () => {
        clearTimeout(timer);
        resolve(exit.code);
      });
    });
    return code === 0 ? `the remote process group ${pgid} was killed` : `killing the remote process group ${pgid} could not be confirmed (kill script exit ${code ?? 'none'})`;
  } catch (error) {
    return `the remote process group ${pgid} could not be killed: ${(error as Error).message}`;
  }
}

function signalExitCode(signalName: string | undefined): number {
  const number = signalName === undefined ? undefined : (constants.signals as Record<string, number | undefined>)[`SIG${signalName}`];
  // The shell convention for a process killed by a signal.
  return number === undefined ? 255 : 128 + number;
}
