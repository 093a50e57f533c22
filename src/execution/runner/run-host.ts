import { setTimeout as sleepFor } from 'node:timers/promises';
import type { FailureClass } from '../../domain/index.js';
import { systemClock, type Clock } from '../../platform/index.js';
import { TransportError, type ExecResult, type Transport } from '../transport.js';
import { stepChanged, stepFailed } from './matchers.js';
import {
  diffPackages,
  parseFacts,
  parsePackageList,
  parsePlanLines,
  parseWuaReport,
  wuaPackageChanges,
  type InstalledPackage,
  type PackageChange,
  type WuaUpdate,
} from './output-protocol.js';
import type { ExecutionPlan, PlannedCommand, PlannedStep } from './plan.js';
import type { CommandResult, HostRunResult, HostRunStatus, RebootOutcome, RunPhase } from './result.js';
import { buildScanResult } from './scan-result.js';

export type RunEvent =
  | { type: 'command-start'; hostId: string; phase: RunPhase; name: string; attempt: number }
  | { type: 'command-end'; hostId: string; result: CommandResult }
  | { type: 'output'; hostId: string; phase: RunPhase; name: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'retry'; hostId: string; name: string; attempt: number; delayMs: number; reason: string }
  | { type: 'reboot'; hostId: string; state: 'started' | 'done' };

export interface RunHostOptions {
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  clock?: Clock;
  /** Waits between retries; tests pass one that does not wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Output kept per stream in each command record (the tail, where errors are). Default 64 KiB. */
  recordTailBytes?: number;
  rebootTimeoutMs?: number;
}

const DEFAULT_RECORD_TAIL_BYTES = 64 * 1024;
/** packages_query lists every installed package: let the transport keep all of it. */
const PACKAGES_QUERY_MAX_BYTES = 32 * 1024 * 1024;
const CONNECTION_CLASSES: ReadonlySet<FailureClass> = new Set(['unreachable', 'auth', 'host-key']);

/** Raised inside the run to stop it; carries what the result should say. */
class RunStopped extends Error {
  constructor(
    readonly failureClass: FailureClass,
    readonly phase: RunPhase,
    readonly commandName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a compiled plan on one host: connect, pre-checks (a failure stops the run before any change), the
 * installed-packages query, the steps in order (retrying only retryable transport failures), the query again,
 * the reboot decision and reboot, post-checks. Never throws for a host problem: the result says what happened.
 */
export async function runPlanOnHost(plan: ExecutionPlan, transport: Transport, options: RunHostOptions = {}): Promise<HostRunResult> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal }));
  const tailBytes = options.recordTailBytes ?? DEFAULT_RECORD_TAIL_BYTES;
  const hostId = transport.hostId;
  const emit = (event: RunEvent): void => options.onEvent?.(event);
  const startedAt = clock.now();

  const commands: CommandResult[] = [];
  const stepOutputs: string[] = [];
  let packagesBefore: InstalledPackage[] | undefined;
  let packagesChanged: PackageChange[] = [];
  let windowsUpdates: WuaUpdate[] | undefined;
  const reboot: RebootOutcome = { policy: plan.reboot, required: null, performed: false };
  let stop: RunStopped | undefined;

  const exec = async (phase: RunPhase, command: PlannedCommand, attempt: number, maxOutputBytes?: number): Promise<ExecResult> => {
    if (options.signal?.aborted === true) throw new RunStopped('cancelled', phase, command.name, 'the run was cancelled');
    emit({ type: 'command-start', hostId, phase, name: command.name, attempt });
    return transport.exec(command.command, {
      timeoutMs: command.timeoutMs,
      become: command.become,
      powershell: command.powershell,
      step: command.name,
      attempt,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(maxOutputBytes === undefined ? {} : { maxOutputBytes }),
      onLine: (stream, line) => emit({ type: 'output', hostId, phase, name: command.name, stream, line }),
    });
  };

  const record = (phase: RunPhase, name: string, outcome: { result?: ExecResult; error?: unknown; attempts: number; failed: boolean; changed: boolean; durationMs?: number }): CommandResult => {
    const stdout = capTail(outcome.result?.stdout ?? '', tailBytes);
    const stderr = capTail(outcome.result?.stderr ?? '', tailBytes);
    const entry: CommandResult = {
      phase,
      name,
      status: outcome.failed ? 'failed' : outcome.changed ? 'changed' : 'ok',
      exitCode: outcome.result?.exitCode ?? null,
      durationMs: outcome.result?.durationMs ?? outcome.durationMs ?? 0,
      attempts: outcome.attempts,
      changed: outcome.changed,
      stdout: stdout.text,
      stderr: stderr.text,
      stdoutOmittedBytes: stdout.omitted + (outcome.result?.stdoutTruncatedBytes ?? 0),
      stderrOmittedBytes: stderr.omitted + (outcome.result?.stderrTruncatedBytes ?? 0),
    };
    if (outcome.error !== undefined) {
      entry.failureClass = classOf(outcome.error);
      entry.error = (outcome.error as Error).message;
    }
    commands.push(entry);
    emit({ type: 'command-end', hostId, result: entry });
    return entry;
  };

  /** A check (pre/post, reboot_if, query): one attempt, a non-zero exit is a failure of the check. */
  const runCheck = async (phase: RunPhase, command: PlannedCommand, maxOutputBytes?: number): Promise<ExecResult> => {
    const began = Date.now();
    let result: ExecResult;
    try {
      result = await exec(phase, command, 1, maxOutputBytes);
    } catch (error) {
      if (error instanceof RunStopped) throw error;
      record(phase, command.name, { error, attempts: 1, failed: true, changed: false, durationMs: Date.now() - began });
      throw new RunStopped(classOf(error), phase, command.name, (error as Error).message);
    }
    return result;
  };

  const runStep = async (step: PlannedStep): Promise<void> => {
    if (step.skip) {
      commands.push(skippedRecord(step.name));
      emit({ type: 'command-end', hostId, result: commands.at(-1) as CommandResult });
      return;
    }
    const began = Date.now();
    for (let attempt = 1; ; attempt++) {
      let result: ExecResult;
      try {
        result = await exec('step', step, attempt);
      } catch (error) {
        if (error instanceof RunStopped) throw error;
        const retryable = error instanceof TransportError && error.retryable && options.signal?.aborted !== true;
        if (retryable && attempt <= step.retries) {
          emit({ type: 'retry', hostId, name: step.name, attempt, delayMs: step.delayMs, reason: (error as Error).message });
          await sleep(step.delayMs, options.signal).catch(() => undefined);
          await transport.connect().catch(() => undefined);
          continue;
        }
        record('step', step.name, { error, attempts: attempt, failed: true, changed: false, durationMs: Date.now() - began });
        throw new RunStopped(classOf(error), 'step', step.name, (error as Error).message);
      }
      stepOutputs.push(result.stdout);
      const failed = stepFailed(step.failedWhen, result);
      const changed = !failed && !plan.checkMode && stepChanged(step.changedWhen, result);
      record('step', step.name, { result, attempts: attempt, failed, changed });
      if (failed) {
        throw new RunStopped('step-failed', 'step', step.name, `step "${step.name}" failed with exit code ${result.exitCode}${lastLine(result)}`);
      }
      return;
    }
  };

  const queryPackages = async (phase: 'packages-before' | 'packages-after'): Promise<InstalledPackage[]> => {
    const query = plan.packagesQuery as PlannedCommand;
    const result = await runCheck(phase, query, PACKAGES_QUERY_MAX_BYTES);
    const failed = result.exitCode !== 0;
    // The list itself is data, not a log: keep only a count in the record.
    const summary = { ...result, stdout: failed ? result.stdout : `${parsePackageList(result.stdout).length} packages\n` };
    record(phase, query.name, { result: summary, attempts: 1, failed, changed: false });
    if (failed) throw new RunStopped('step-failed', phase, query.name, `the installed-packages query failed with exit code ${result.exitCode}${lastLine(result)}`);
    return parsePackageList(result.stdout);
  };

  const checkPasses = async (phase: 'pre-check' | 'post-check', command: PlannedCommand): Promise<void> => {
    const result = await runCheck(phase, command);
    const failed = result.exitCode !== 0;
    record(phase, command.name, { result, attempts: 1, failed, changed: false });
    if (failed) throw new RunStopped('step-failed', phase, command.name, `${phase} "${command.name}" failed with exit code ${result.exitCode}${lastLine(result)}`);
  };

  const rebootRequired = async (): Promise<boolean> => {
    const command = plan.rebootIf as PlannedCommand;
    const result = await runCheck('reboot-check', command);
    const required = result.exitCode === 0;
    record('reboot-check', command.name, { result, attempts: 1, failed: false, changed: false });
    return required;
  };

  try {
    try {
      await transport.connect();
    } catch (error) {
      record('connect', `connect to ${hostId}`, { error, attempts: 1, failed: true, changed: false });
      throw new RunStopped(classOf(error), 'connect', `connect to ${hostId}`, (error as Error).message);
    }
    for (const check of plan.preChecks) await checkPasses('pre-check', check);
    if (plan.packagesQuery !== undefined) packagesBefore = await queryPackages('packages-before');
    try {
      for (const step of plan.steps) await runStep(step);
    } catch (error) {
      stop = error as RunStopped;
    }
    windowsUpdates = collectWindowsUpdates(stepOutputs);
    if (packagesBefore !== undefined && !plan.checkMode && plan.kind !== 'scan' && stop?.failureClass !== 'cancelled' && !isConnectionClass(stop)) {
      // Measured even after a failed step: the record must say what did change.
      try {
        packagesChanged = diffPackages(packagesBefore, await queryPackages('packages-after'));
      } catch (error) {
        stop ??= error as RunStopped;
      }
    }
    if (packagesChanged.length === 0 && windowsUpdates !== undefined && !plan.checkMode) {
      packagesChanged = windowsUpdates.filter((u) => u.result.startsWith('succeeded')).map((u) => ({ name: u.kb || u.title, before: null, after: 'installed' }));
    }
    if (stop !== undefined) {
      // Whether a reboot is pending is worth knowing after a failure too; the runner never reboots a failed run.
      if (plan.rebootIf !== undefined && stop.failureClass === 'step-failed') reboot.required = await rebootRequired().catch(() => null);
      throw stop;
    }
    if (plan.rebootIf !== undefined) reboot.required = await rebootRequired();
    const rebootNow = !plan.checkMode && (plan.reboot === 'always' || (plan.reboot === 'if-needed' && reboot.required === true));
    if (rebootNow) {
      emit({ type: 'reboot', hostId, state: 'started' });
      const began = Date.now();
      try {
        const outcome = await transport.reboot({
          ...(options.rebootTimeoutMs === undefined ? {} : { timeoutMs: options.rebootTimeoutMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        Object.assign(reboot, { performed: true, bootTimeBefore: outcome.bootTimeBefore, bootTimeAfter: outcome.bootTimeAfter, durationMs: outcome.durationMs });
        record('reboot', 'reboot', { attempts: 1, failed: false, changed: true, durationMs: outcome.durationMs });
      } catch (error) {
        record('reboot', 'reboot', { error, attempts: 1, failed: true, changed: false, durationMs: Date.now() - began });
        throw new RunStopped(classOf(error), 'reboot', 'reboot', (error as Error).message);
      }
      emit({ type: 'reboot', hostId, state: 'done' });
    }
    for (const check of plan.postChecks) await checkPasses('post-check', check);
  } catch (error) {
    stop = error instanceof RunStopped ? error : new RunStopped(classOf(error), 'step', 'runner', (error as Error).message);
  } finally {
    await transport.close().catch(() => undefined);
  }

  const plannedChanges = plan.checkMode ? [...stepOutputs.flatMap(parsePlanLines), ...stepOutputs.flatMap(plannedWindowsUpdates)] : [];
  const finishedAt = clock.now();
  const result: HostRunResult = {
    hostId,
    playbookId: plan.playbookId,
    checkMode: plan.checkMode,
    status: statusOf(stop, { commands, packagesChanged, plannedChanges, reboot, checkMode: plan.checkMode }),
    failureClass: stop?.failureClass ?? null,
    failedAt: stop === undefined ? null : { phase: stop.phase, name: stop.commandName },
    message: stop?.message ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    commands,
    packagesChanged,
    plannedChanges,
    reboot,
  };
  if (plan.kind === 'scan' && stop === undefined) result.scan = buildScanResult(parseFacts(stepOutputs.join('\n')), packagesBefore ?? [], finishedAt);
  if (windowsUpdates !== undefined) result.windowsUpdates = windowsUpdates;
  return result;
}

function statusOf(
  stop: RunStopped | undefined,
  run: { commands: CommandResult[]; packagesChanged: PackageChange[]; plannedChanges: PackageChange[]; reboot: RebootOutcome; checkMode: boolean },
): HostRunStatus {
  if (stop !== undefined) return isConnectionClass(stop) ? 'unreachable' : 'failed';
  if (!run.checkMode && run.reboot.required === true && !run.reboot.performed) return 'pending-reboot';
  const changed = run.commands.some((c) => c.changed) || run.packagesChanged.length > 0 || run.plannedChanges.length > 0;
  return changed ? 'changed' : 'ok';
}

function isConnectionClass(stop: RunStopped | undefined): boolean {
  return stop !== undefined && CONNECTION_CLASSES.has(stop.failureClass);
}

function classOf(error: unknown): FailureClass {
  if (error instanceof RunStopped) return error.failureClass;
  if (error instanceof TransportError) return error.failureClass;
  return 'internal';
}

function collectWindowsUpdates(outputs: readonly string[]): WuaUpdate[] | undefined {
  const reports = outputs.map(parseWuaReport).filter((r) => r !== undefined);
  return reports.length === 0 ? undefined : reports.flatMap((r) => r.updates);
}

function plannedWindowsUpdates(stdout: string): PackageChange[] {
  const report = parseWuaReport(stdout);
  return report === undefined ? [] : wuaPackageChanges(report);
}

function skippedRecord(name: string): CommandResult {
  return { phase: 'step', name, status: 'skipped', exitCode: null, durationMs: 0, attempts: 0, changed: false, stdout: '', stderr: '', stdoutOmittedBytes: 0, stderrOmittedBytes: 0 };
}

function lastLine(result: ExecResult): string {
  const text = (result.stderr.trim() !== '' ? result.stderr : result.stdout).trim();
  const line = text.split('\n').at(-1);
  return line === undefined || line === '' ? '' : `: ${line.slice(0, 300)}`;
}

/** Keeps the last `maxBytes` of text (whole characters), counting what it dropped. */
export function capTail(text: string, maxBytes: number): { text: string; omitted: number } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { text, omitted: 0 };
  const buffer = Buffer.from(text);
  let start = bytes - maxBytes;
  // Step forward past UTF-8 continuation bytes so the kept text starts on a character.
  while (start < bytes && ((buffer[start] as number) & 0xc0) === 0x80) start++;
  return { text: buffer.subarray(start).toString('utf8'), omitted: start };
}
