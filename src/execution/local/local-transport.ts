import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { OutputCapture } from '../output-capture.js';
import { DEFAULT_MAX_OUTPUT_BYTES, TransportError, type ExecOptions, type ExecResult, type RebootResult, type Transport } from '../transport.js';

/** After SIGTERM to the process group, how long the commands get to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface LocalTransportOptions {
  hostId: string;
  /** Working directory of the commands. Default: the orchestrator's. */
  cwd?: string;
  /** Environment of the commands. Default: the orchestrator's. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The `local` transport: runs each command with /bin/sh on the orchestrator's own machine, in its own process
 * group, so a time-out or a cancel stops the command and everything it started. It never reboots: rebooting the
 * machine that runs the orchestrator would end the run that asked for it.
 */
export class LocalTransport implements Transport {
  readonly kind = 'local';
  readonly shell = 'posix' as const;
  readonly hostId: string;

  constructor(private readonly options: LocalTransportOptions) {
    this.hostId = options.hostId;
  }

  async connect(): Promise<void> {
    // Nothing to open: the shell is started per command.
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const context = { hostId: this.hostId, ...(options.step === undefined ? {} : { step: options.step }), ...(options.attempt === undefined ? {} : { attempt: options.attempt }) };
    if (options.powershell === true) {
      throw new TransportError('step-failed', 'the local transport runs POSIX sh only and cannot run PowerShell; run Windows playbooks over winrm', context);
    }
    if (options.signal?.aborted === true) throw new TransportError('cancelled', 'cancelled before the command started', context);
    const argv = this.argv(command, options.become === true);
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new OutputCapture(maxBytes, options.onLine === undefined ? undefined : (line) => options.onLine?.('stdout', line));
    const stderr = new OutputCapture(maxBytes, options.onLine === undefined ? undefined : (line) => options.onLine?.('stderr', line));
    const began = Date.now();

    return await new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: this.options.cwd,
        env: this.options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: the group id is the child's pid, so kill(-pid) reaches every descendant.
        detached: true,
      });
      let stopped: { failureClass: 'timeout' | 'cancelled'; message: string } | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      const stopGroup = (failureClass: 'timeout' | 'cancelled', message: string): void => {
        if (stopped !== undefined) return;
        stopped = { failureClass, message };
        signalGroup(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stopGroup('timeout', `the command did not finish within ${options.timeoutMs} ms; its process group was stopped`), options.timeoutMs);
      const onAbort = (): void => stopGroup('cancelled', 'the command was cancelled; its process group was stopped');
      options.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => {
        cleanup();
        reject(new TransportError('internal', `cannot start ${argv[0]}: ${error.message}`, { ...context, cause: error }));
      });
      child.on('close', (code, signalName) => {
        cleanup();
        stdout.end();
        stderr.end();
        if (stopped !== undefined) {
          // Make sure nothing of the group outlives the rejection (a child that ignored SIGTERM).
          signalGroup(child.pid, 'SIGKILL');
          reject(new TransportError(stopped.failureClass, stopped.message, context));
          return;
        }
        resolve({
          exitCode: code ?? 128 + ((signalName === null ? undefined : constants.signals[signalName]) ?? 0),
          stdout: stdout.text,
          stderr: stderr.text,
          stdoutTruncatedBytes: stdout.truncatedBytes,
          stderrTruncatedBytes: stderr.truncatedBytes,
          durationMs: Date.now() - began,
        });
      });

      function cleanup(): void {
        if (timer !== undefined) clearTimeout(timer);
        if (killTimer !== undefined) clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  async reboot(): Promise<RebootResult> {
    throw new TransportError(
      'step-failed',
      "the local transport does not reboot the orchestrator's own machine; set reboot: never for local hosts or run the playbook over ssh",
      { hostId: this.hostId, step: 'reboot' },
    );
  }

  async close(): Promise<void> {
    // Nothing stays open between commands.
  }

  private argv(command: string, become: boolean): string[] {
    const alreadyRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    // sudo -n never prompts: without a sudoers rule it fails at once with a message in stderr.
    return become && !alreadyRoot ? ['sudo', '-n', '--', '/bin/sh', '-c', command] : ['/bin/sh', '-c', command];
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
