import type { FailureClass } from '../../domain/index.js';
import type { PackageChange, WuaUpdate } from './output-protocol.js';
import type { ScanResult } from './scan-result.js';

export const HOST_RUN_STATUSES = ['ok', 'changed', 'failed', 'unreachable', 'pending-reboot', 'skipped'] as const;
export type HostRunStatus = (typeof HOST_RUN_STATUSES)[number];

export type RunPhase = 'connect' | 'pre-check' | 'packages-before' | 'step' | 'packages-after' | 'reboot-check' | 'reboot' | 'post-check';

/** One command the runner ran (or skipped), with its output capped to the tail, where errors are. */
export interface CommandResult {
  phase: RunPhase;
  name: string;
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  exitCode: number | null;
  durationMs: number;
  attempts: number;
  changed: boolean;
  stdout: string;
  stderr: string;
  /** Bytes of output not kept in this record (the transport's cap plus the record's cap). */
  stdoutOmittedBytes: number;
  stderrOmittedBytes: number;
  /** Set when the command could not complete (transport error): its class and message. */
  failureClass?: FailureClass;
  error?: string;
}

export interface RebootOutcome {
  policy: 'never' | 'if-needed' | 'always';
  /** What reboot_if said (null: not asked, e.g. no reboot_if or the run failed before). */
  required: boolean | null;
  performed: boolean;
  bootTimeBefore?: string;
  bootTimeAfter?: string;
  durationMs?: number;
}

export interface HostRunResult {
  hostId: string;
  playbookId: string;
  checkMode: boolean;
  status: HostRunStatus;
  failureClass: FailureClass | null;
  /** For a failure: which phase and command, and a message for people. */
  failedAt: { phase: RunPhase; name: string } | null;
  message: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  commands: CommandResult[];
  /** Measured changes: packages_query before and after the steps (or the Windows Update report). */
  packagesChanged: PackageChange[];
  /** Check mode: the changes the playbook reported it would make. */
  plannedChanges: PackageChange[];
  reboot: RebootOutcome;
  /** `scan` playbooks: the facts and the installed packages. */
  scan?: ScanResult;
  windowsUpdates?: WuaUpdate[];
}
