import { resolvePlaybook, type Host, type PlaybookEntry, type ResolvedConfig } from '../config/index.js';
import { AppError, coerceError } from '../errors.js';
import { compilePlaybook, createTransport, runPlanOnHost, type ExecutionPlan, type HostRunResult, type Transport } from '../execution/index.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { createHostInventoryStore, saveRunResults, type StepRecord } from '../store/index.js';
import type { HostRunExecutor, HostRunOutcome, HostRunRequest } from './executor.js';
import { describeRunEvent } from './run-progress.js';

/**
 * The production executor: each of the batch's playbooks (resolved for the host's OS) is compiled with the
 * batch's parameters and run by the playbook runner over the host's own transport, in order; the first failure
 * ends the host run. `transportFor` replaces the inventory's transport (benchmarks use a no-op one).
 * With `store`, a successful scan becomes the host's inventory (store/host-inventory.ts), and the full results of
 * runs that ask for them (`keepResults`, ad-hoc runs) are kept for `redback run`.
 */
export function createRunnerExecutor(config: ResolvedConfig, logger: Logger, options: { transportFor?: (host: Host) => Transport; store?: { redis: Redis; prefix: string } } = {}): HostRunExecutor {
  const keep = async (request: HostRunRequest, results: readonly HostRunResult[]): Promise<void> => {
    if (options.store === undefined || request.keepResults !== true) return;
    await saveRunResults(options.store.redis, options.store.prefix, request.runId, results).catch((error: unknown) => logger.error({ err: coerceError(error), run: request.runId }, 'could not keep the run results'));
  };
  // A batch's thousands of host runs share its playbooks, parameters and check mode: the execution plan depends on
  // nothing else (not on the host), so it is compiled once per (batch parameters object, playbook, check mode).
  // The parameters object is the cached batch plan's (store getBatchWith), the same for every run of the batch; a
  // WeakMap lets it go with the batch. Compile errors are not cached: they are returned again each time.
  const plans = new WeakMap<object, Map<PlaybookEntry, [ExecutionPlan | undefined, ExecutionPlan | undefined]>>();
  const planFor = (playbook: PlaybookEntry, request: HostRunRequest): ExecutionPlan => {
    let byPlaybook = plans.get(request.params);
    if (byPlaybook === undefined) {
      byPlaybook = new Map();
      plans.set(request.params, byPlaybook);
    }
    let pair = byPlaybook.get(playbook);
    if (pair === undefined) {
      pair = [undefined, undefined];
      byPlaybook.set(playbook, pair);
    }
    const slot = request.checkMode ? 1 : 0;
    let plan = pair[slot];
    if (plan === undefined) {
      const params = Object.fromEntries(Object.entries(request.params).filter(([name]) => name in playbook.params));
      plan = compilePlaybook(playbook, { params, checkMode: request.checkMode });
      pair[slot] = plan;
    }
    return plan;
  };
  return async (request) => {
    const steps: StepRecord[] = [];
    const results: HostRunResult[] = [];
    for (const reference of request.playbooks) {
      const playbook = resolvePlaybook(config, reference, request.host.os);
      if (playbook === undefined) {
        return { status: 'failed', failureClass: 'internal', reason: `no playbook ${JSON.stringify(reference)} for OS ${request.host.os}; add one or change the window's playbooks`, steps, retryable: false };
      }
      let plan;
      try {
        plan = planFor(playbook, request);
      } catch (error) {
        return { status: 'failed', failureClass: 'internal', reason: `playbook ${playbook.id}: ${coerceError(error).message}`, steps, retryable: false };
      }
      let transport: Transport;
      try {
        transport = options.transportFor?.(request.host) ?? createTransport(request.host, { configDir: config.dir, hosts: config.hosts, logger });
      } catch (error) {
        // The transport cannot even be built: a credential this worker cannot use (a secret not set, no ssh-agent:
        // class auth) or an inventory mistake (a jump host that is not there). Another attempt seconds later will
        // not fix either, so it is not retried.
        const failure = coerceError(error);
        const failureClass = failure instanceof AppError && failure.code === 'prerequisite-missing' ? 'auth' : 'internal';
        return { status: 'failed', failureClass, reason: `cannot connect to ${request.host.id}: ${failure.message}`, steps, retryable: false };
      }
      const result = await runPlanOnHost(plan, transport, {
        signal: request.signal,
        onEvent: (event) => {
          if (event.type === 'output') request.onLine(event.name, event.stream, event.line);
          else request.onLine(event.type === 'reboot' ? 'reboot' : event.type === 'command-end' ? event.result.name : event.name, 'system', describeRunEvent(event) ?? event.type);
        },
      });
      results.push(result);
      await storeScan(options.store, logger, request.host.id, result);
      await keep(request, results);
      steps.push(...stepRecords(result));
      const outcome = outcomeOf(result, steps);
      if (outcome.status === 'failed') return outcome;
    }
    return { status: 'succeeded', failureClass: null, reason: null, steps };
  };
}

/** A successful scan (in check mode too: scans are read-only) becomes the host's stored inventory. */
async function storeScan(store: { redis: Redis; prefix: string } | undefined, logger: Logger, hostId: string, result: HostRunResult): Promise<void> {
  if (store === undefined || result.scan === undefined || result.status === 'failed' || result.status === 'unreachable') return;
  try {
    const saved = await createHostInventoryStore(store.redis, store.prefix).save({ hostId, ...result.scan });
    logger.info({ host: hostId, scannedAt: result.scan.scannedAt, saved }, saved ? 'stored the host inventory' : 'kept the newer stored inventory');
  } catch (error) {
    logger.error({ err: coerceError(error), host: hostId }, 'could not store the host inventory of a successful scan');
  }
}

function stepRecords(result: HostRunResult): StepRecord[] {
  return result.commands.map((command) => ({
    name: `${result.playbookId}: ${command.name}`,
    status: command.status,
    exitCode: command.exitCode,
    stdout: command.stdout,
    stderr: command.stderr,
    truncatedBytes: command.stdoutOmittedBytes + command.stderrOmittedBytes,
    durationMs: command.durationMs,
  }));
}

function outcomeOf(result: HostRunResult, steps: StepRecord[]): HostRunOutcome {
  if (result.status === 'failed' || result.status === 'unreachable') {
    const where = result.failedAt === null ? '' : ` (${result.failedAt.phase} "${result.failedAt.name}")`;
    return { status: 'failed', failureClass: result.failureClass ?? (result.status === 'unreachable' ? 'unreachable' : 'step-failed'), reason: `${result.message ?? result.status}${where}`, steps };
  }
  return { status: 'succeeded', failureClass: null, reason: null, steps };
}
