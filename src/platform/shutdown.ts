import type { Logger } from './logger.js';

/**
 * Ordered, idempotent shutdown. Components register a cleanup as they start; `shutdown()` runs them in reverse
 * order of registration (the last started stops first), each once, each even if an earlier one failed.
 * A first SIGINT/SIGTERM shuts down gracefully; a second forces the exit, because a patch step killed halfway
 * is worse than a late exit but an operator who presses Ctrl-C twice means it.
 */
export type ShutdownState = 'running' | 'stopping' | 'stopped';

interface Cleanup {
  name: string;
  run: () => Promise<void> | void;
}

export class ShutdownCoordinator {
  #cleanups: Cleanup[] = [];
  #state: ShutdownState = 'running';
  #stopping: Promise<void> | undefined;
  #signalsSeen = 0;
  readonly #logger: Logger;
  readonly #exit: (code: number) => void;
  readonly #forceAfterMs: number;
  #detachSignals: (() => void) | undefined;
  /** The cleanup running now: named when the exit is forced, so the operator knows what did not stop. */
  #current: string | undefined;

  constructor(logger: Logger, options: { exit?: (code: number) => void; forceAfterMs?: number } = {}) {
    this.#logger = logger;
    this.#exit = options.exit ?? ((code) => process.exit(code));
    this.#forceAfterMs = options.forceAfterMs ?? 30_000;
  }

  get state(): ShutdownState {
    return this.#state;
  }

  /** Registers a cleanup; runs before those registered earlier. */
  add(name: string, run: () => Promise<void> | void): void {
    this.#cleanups.push({ name, run });
  }

  /** Installs the SIGINT/SIGTERM handlers. Returns a promise that resolves when shutdown has finished. */
  handleSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<void> {
    const done = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        this.#signalsSeen += 1;
        if (this.#signalsSeen > 1) {
          this.#logger.warn({ signal, waitingFor: this.#current }, `second signal: forcing exit without waiting for cleanups${this.#waitingFor()}`);
          this.#exit(130);
          return;
        }
        this.#logger.info({ signal }, 'shutting down (send the signal again to force)');
        const force = setTimeout(() => {
          this.#logger.error({ afterMs: this.#forceAfterMs, waitingFor: this.#current }, `shutdown took too long${this.#waitingFor()}: forcing exit`);
          this.#exit(1);
        }, this.#forceAfterMs);
        force.unref();
        void this.shutdown().then(() => {
          clearTimeout(force);
          resolve();
        });
      };
      for (const signal of signals) process.on(signal, onSignal);
      this.#detachSignals = () => {
        for (const signal of signals) process.off(signal, onSignal);
      };
    });
    return done;
  }

  /** Runs every cleanup once, newest first. Concurrent callers share the same promise. */
  shutdown(): Promise<void> {
    this.#stopping ??= this.#runCleanups();
    return this.#stopping;
  }

  #waitingFor(): string {
    // A cleanup that waits on Redis while Redis is unreachable waits until it is back: say which one it was.
    return this.#current === undefined ? '' : ` (still stopping: ${this.#current})`;
  }

  async #runCleanups(): Promise<void> {
    this.#state = 'stopping';
    for (const cleanup of [...this.#cleanups].reverse()) {
      this.#current = cleanup.name;
      try {
        await cleanup.run();
        this.#logger.debug({ component: cleanup.name }, 'stopped');
      } catch (error) {
        this.#logger.error({ component: cleanup.name, err: error }, 'cleanup failed; continuing with the rest');
      }
    }
    this.#current = undefined;
    this.#cleanups = [];
    this.#detachSignals?.();
    this.#state = 'stopped';
  }
}
