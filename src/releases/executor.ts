import type { Host } from '../config/index.js';
import type { FailureClass } from '../domain/failure-class.js';
import type { StepRecord } from '../store/index.js';

/**
 * The port through which a worker runs one host's playbooks. Production wires the playbook runner over the
 * host's transport (ssh, winrm, local); benchmarks and tests may pass their own.
 */
export interface HostRunRequest {
  runId: string;
  host: Host;
  /** Playbook references of the batch (ids or kinds), resolved per host OS by the executor. */
  playbooks: readonly string[];
  params: Readonly<Record<string, unknown>>;
  checkMode: boolean;
  /** Aborted when the host lock is lost or the worker shuts down hard. */
  signal: AbortSignal;
  /** Output lines, and `system` lines saying which command starts or ended (live progress of `redback run`). */
  onLine(step: string, stream: 'stdout' | 'stderr' | 'system', line: string): void;
  /** Keep the runner's full results for whoever waits on the run (ad-hoc runs: `redback run` prints them). */
  keepResults?: boolean;
}

export interface HostRunOutcome {
  status: 'succeeded' | 'failed';
  failureClass: FailureClass | null;
  reason: string | null;
  steps: StepRecord[];
  /** False when trying again cannot help (a configuration problem), whatever the class. Default true. */
  retryable?: boolean;
}

export type HostRunExecutor = (request: HostRunRequest) => Promise<HostRunOutcome>;
