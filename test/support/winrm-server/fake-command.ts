import { EventEmitter } from 'node:events';
import { encodeForCodepage } from './codepage.js';
import type { CommandInvocation, ScriptStep } from './command-table.js';
import type { StreamChunk } from './responses.js';

/**
 * One running command on the fake host: plays its script's timeline into stdout/stderr queues that Receive
 * drains. Emits `change` whenever there is something new for a waiting Receive.
 */
export class FakeCommand extends EventEmitter {
  readonly queue: StreamChunk[] = [];
  exitCode: number | undefined;
  /** Set once a Receive has returned the Done state: later Receives get the "command does not exist" fault. */
  doneDelivered = false;
  timedOutPolls = 0;
  readonly stdin: Buffer[] = [];
  stdinClosed = false;
  rebootRequested = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly commandId: string,
    readonly invocation: CommandInvocation,
    private readonly steps: ScriptStep[],
  ) {
    super();
    this.setMaxListeners(0);
  }

  start(): void {
    void this.play(this.steps).catch((error: unknown) => {
      this.write('stderr', Buffer.from(`test server script failed: ${(error as Error).message}\r\n`));
      this.finish(1);
    });
  }

  get done(): boolean {
    return this.exitCode !== undefined;
  }

  /** Stops the process (Signal or Delete): it ends with `exitCode` unless it already ended. */
  stop(exitCode: number): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.finish(exitCode);
  }

  feedStdin(bytes: Buffer, end: boolean): void {
    if (bytes.length > 0) this.stdin.push(bytes);
    if (end) this.stdinClosed = true;
    this.emit('stdin');
  }

  noteTimedOutPoll(): void {
    this.timedOutPolls += 1;
    this.emit('poll');
  }

  private async play(steps: readonly ScriptStep[]): Promise<void> {
    for (const step of steps) {
      // A restart is requested by a command that has already returned (Restart-Computer ends at once).
      if ('reboot' in step && !this.stopped) {
        this.rebootRequested = true;
        this.emit('reboot');
        continue;
      }
      if (this.stopped || this.done) return;
      if ('stdout' in step) this.write('stdout', this.bytes(step.stdout));
      else if ('stderr' in step) this.write('stderr', this.bytes(step.stderr));
      else if ('delayMs' in step) await this.sleep(step.delayMs);
      else if ('silentPolls' in step) await this.until('poll', (start) => this.timedOutPolls >= start + step.silentPolls, this.timedOutPolls);
      else if ('waitForStdin' in step) await this.until('stdin', () => this.stdinClosed, 0);
      else if ('then' in step) await this.play(step.then(Buffer.concat(this.stdin), this.invocation));
      else if ('exit' in step) this.finish(step.exit);
      else if ('hang' in step) await new Promise<never>(() => undefined);
    }
    if (!this.done && !this.stopped) this.finish(0);
  }

  private bytes(value: string | Buffer): Buffer {
    return typeof value === 'string' ? encodeForCodepage(value, this.invocation.codepage) : value;
  }

  private write(stream: 'stdout' | 'stderr', bytes: Buffer): void {
    if (this.done) return;
    this.queue.push({ stream, bytes });
    this.emit('change');
  }

  private finish(exitCode: number): void {
    if (this.done) return;
    this.exitCode = exitCode;
    this.emit('change');
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async until(event: string, ready: (start: number) => boolean, start: number): Promise<void> {
    if (ready(start)) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (ready(start) || this.stopped) {
          this.off(event, check);
          resolve();
        }
      };
      this.on(event, check);
    });
  }
}
