import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { findHost, hostsOfGroup, resolvePlaybook, type Host, type PlaybookEntry, type ResolvedConfig } from '../../../config/index.js';
import { parseDuration, type HostState } from '../../../domain/index.js';
import { compilePlaybook, createTransport, PlaybookInputError, runPlanOnHost, type HostRunResult } from '../../../execution/index.js';
import { AppError } from '../../../errors.js';
import { describeRunEvent, followAdHocRun, liveWorkers, planAdHocRun, type PlannedAdHocBatch } from '../../../releases/index.js';
import { blackoutsForWindow, isWindowOpen, windowsForHost } from '../../../scheduling/index.js';
import { createHostInventoryStore } from '../../../store/index.js';
import { AS_OPTION_HELP, auditTokenWrite, withActingUser, type ActingSession } from '../acting-user.js';
import { redisConfigured, withInventoryStore } from '../inventory-session.js';
import { loadConfigForCli } from '../load-config.js';
import { inPool, ProgressLines, renderSummary, skippedResult } from './run-output.js';

interface RunCliOptions {
  hosts?: string;
  group?: string;
  check?: boolean;
  param: string[];
  force?: boolean;
  reason?: string;
  json?: boolean;
  config?: string;
  as?: string;
  inProcess?: boolean;
  wait: boolean;
  startWithin: number;
}

/** Hosts run at the same time by `--in-process`; the rest wait for a free slot. */
const PARALLEL_HOSTS = 5;

interface HostJob {
  host: Host;
  playbook: PlaybookEntry;
  /** The maintenance windows that cover the host, all closed now; empty when one is open or none covers it. */
  closedWindows: string[];
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a playbook now on some hosts through the queue (a running `redback worker` or `redback serve` takes the hosts), with a live line per host and a summary')
    .argument('<playbook>', 'playbook id (debian-security-patch) or kind (security-patch: the playbook of that kind for each host\'s OS)')
    .option('--hosts <ids>', 'comma-separated inventory host ids')
    .option('--group <group>', 'every host of an inventory group')
    .option('--check', 'check mode: run the check commands only and report what would change')
    .option('--param <key=value>', 'a playbook parameter (repeatable); packages as name[=version],...', collect, [])
    .option('--force', 'also run hosts whose maintenance windows are all closed: needs --reason and a second engineer\'s approval (`redback batches approve BATCH`)')
    .option('--reason <text>', 'why the hosts must run outside their windows (with --force), for the approver and the audit trail')
    // The default shown as written, not as the milliseconds it parses to.
    .addOption(new Option('--start-within <duration>', 'no host starts later than this after now; a --force approval expires then too').argParser(durationMs).default(3_600_000, '1h'))
    .option('--no-wait', 'plan the run and exit; follow it with `redback batches show BATCH --watch`')
    .option('--in-process', 'lab use: run the playbooks in this process instead of the queue (no worker or Redis needed; no --force)')
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'print the results as JSON')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .action(async (reference: string, options: RunCliOptions) => {
      const config = await loadConfigForCli(options.config);
      const hosts = selectHosts(config, options);
      const params = parseParams(options.param);
      const now = new Date();

      const jobs: HostJob[] = hosts.map((host) => {
        const playbook = resolvePlaybook(config, reference, host.os);
        if (playbook === undefined) {
          throw new AppError('input-invalid', `no playbook ${JSON.stringify(reference)} for host ${host.id} (os ${host.os}); give a playbook id or a kind that exists for ${host.os} (${config.playbooks.filter((p) => p.os === host.os).map((p) => p.id).join(', ') || 'none'})`);
        }
        return { host, playbook, closedWindows: closedWindowsOf(config, host, now) };
      });
      // Every plan is compiled before anything runs: a bad parameter stops the whole command, not half of it.
      const plans = new Map<string, ReturnType<typeof compilePlaybook>>();
      for (const job of jobs) {
        if (!plans.has(job.playbook.id)) plans.set(job.playbook.id, compile(job.playbook, params, options.check === true));
      }
      const outOfWindow = jobs.filter((j) => j.closedWindows.length > 0);
      if (options.force === true && outOfWindow.length > 0 && (options.reason ?? '').trim() === '') {
        throw new AppError('input-invalid', `redback run --force: ${outOfWindow.map((j) => j.host.id).join(', ')} ${outOfWindow.length === 1 ? 'is' : 'are'} outside ${outOfWindow.length === 1 ? 'its' : 'their'} maintenance windows; a run there needs a second engineer's approval and a reason: add --reason "why now"`);
      }
      if (options.force !== true && outOfWindow.length > 0 && options.json !== true) {
        process.stderr.write(`Outside maintenance windows: ${outOfWindow.map((j) => `${j.host.id} (windows ${j.closedWindows.join(', ')} are closed)`).join('; ')}.\n`);
        process.stderr.write('These hosts are skipped; run again with --force --reason TEXT to run them now, once a second engineer approves.\n');
      }

      const results = options.inProcess === true
        ? await runInProcess(config, jobs, plans, options)
        : await runThroughQueue(config, reference, jobs, params, options);
      if (results === undefined) return;

      if (options.json === true) process.stdout.write(`${JSON.stringify({ playbook: reference, checkMode: options.check === true, results }, null, 2)}\n`);
      else process.stdout.write(renderSummary(results));
      if (results.some((r) => r.status === 'failed' || r.status === 'unreachable')) process.exitCode = 1;
    });
}

/**
 * The queue path: an ad-hoc batch per customer (releases/ad-hoc-runs.ts) that a worker runs. Hosts outside their
 * windows are skipped, or with --force go into a batch that waits for a second engineer. Returns the results in
 * the order of the hosts given, or undefined with --no-wait.
 */
async function runThroughQueue(config: ResolvedConfig, reference: string, jobs: readonly HostJob[], params: Record<string, string>, options: RunCliOptions): Promise<HostRunResult[] | undefined> {
  if (!redisConfigured(config)) {
    throw new AppError('prerequisite-missing', 'redback run goes through the queue, which lives in Redis, and none is configured: set redis.url in redback.yaml or export REDIS_URL (and run `redback worker`); in a lab without Redis, add --in-process to run the playbook in this process');
  }
  const force = options.force === true;
  return await withActingUser({ config: options.config, as: options.as }, async (session) => {
    const { context } = session;
    const workers = await liveWorkers(context.redis, context.prefix);
    if (workers.length === 0) {
      throw new AppError('prerequisite-missing', `no worker is connected to the queue (Redis prefix ${context.prefix}), so nothing would run the hosts: start one with \`redback worker --config ${config.dir}\` (or \`redback serve\`) and run again; in a lab, --in-process runs the playbook in this process`);
    }
    await auditTokenWrite(session, 'run');
    const now = Date.now();
    const runnable = jobs.filter((j) => j.closedWindows.length === 0).map((j) => j.host.id);
    const outside = force ? jobs.filter((j) => j.closedWindows.length > 0).map((j) => j.host.id) : [];
    const request = { playbook: reference, params, checkMode: options.check === true, requester: session.principal, startWithinMs: options.startWithin };
    const batches: PlannedAdHocBatch[] = [];
    if (runnable.length > 0) batches.push(...(await planAdHocRun(context, { ...request, hostIds: runnable, outOfWindow: false, reason: options.reason ?? null })));
    if (outside.length > 0) batches.push(...(await planAdHocRun(context, { ...request, hostIds: outside, outOfWindow: true, reason: options.reason ?? null })));
    for (const batch of batches) {
      process.stderr.write(`Batch ${batch.batchId}: ${batch.hostIds.join(', ')}${batch.created ? '' : ' (already planned by the same request)'}\n`);
      if (batch.outOfWindow) {
        process.stderr.write(`  outside the maintenance windows: waits for a second engineer (engineer or approver role, not ${session.principal.name}) until ${new Date(now + options.startWithin).toISOString()}: redback batches approve ${batch.batchId}\n`);
      }
    }
    if (!options.wait) {
      process.stderr.write(`Not waiting; follow with: ${batches.map((b) => `redback batches show ${b.batchId} --watch`).join('; ')}\n`);
      return undefined;
    }
    const progress = options.json === true ? undefined : new ProgressLines(jobs.map((j) => j.host.id));
    const finished = await followAdHocRun(context, batches.map((b) => b.batchId), {
      onProgress: (p) => {
        if (p.lines.length === 0) progress?.update(p.hostId, stateText(p.state, p.batchStatus, p.batchId));
        for (const line of p.lines) progress?.update(p.hostId, line);
      },
    });
    progress?.finish();
    const results = jobs.map((job) => finished.get(job.host.id) ?? skippedResult(job.host.id, job.playbook.id, options.check === true, `outside maintenance windows (${job.closedWindows.join(', ')}); use --force`));
    await reportStoredScans(session, results);
    return results;
  });
}

function stateText(state: HostState, batchStatus: string, batchId: string): string | undefined {
  if (batchStatus === 'awaiting-approval') return `awaiting a second engineer's approval: redback batches approve ${batchId}`;
  switch (state) {
    case 'pending':
      return 'waiting to be queued';
    case 'queued':
      return 'queued, waiting for a worker';
    case 'running':
      return 'running';
    default:
      return undefined; // the summary says how it ended
  }
}

/** The worker stores a successful scan as the host's inventory; say which ones are there now. */
async function reportStoredScans(session: ActingSession, results: readonly HostRunResult[]): Promise<void> {
  const scans = results.filter((r) => r.scan !== undefined && r.status !== 'failed' && r.status !== 'unreachable' && r.status !== 'skipped');
  if (scans.length === 0) return;
  const store = createHostInventoryStore(session.context.redis, session.context.prefix);
  const stored: string[] = [];
  for (const result of scans) {
    if ((await store.lastScan(result.hostId))?.scannedAt === result.scan?.scannedAt) stored.push(result.hostId);
  }
  const missing = scans.filter((r) => !stored.includes(r.hostId)).map((r) => r.hostId);
  if (stored.length > 0) process.stderr.write(`Stored the inventory of ${stored.join(', ')}.\n`);
  if (missing.length > 0) process.stderr.write(`redback: the inventory of ${missing.join(', ')} is not the scan just made (a newer one is stored, or the worker could not store it; see its log)\n`);
}

/** `--in-process` (a lab): the playbooks run here, at most 5 hosts at a time; scans are stored when Redis is configured. */
async function runInProcess(config: ResolvedConfig, jobs: readonly HostJob[], plans: ReadonlyMap<string, ReturnType<typeof compilePlaybook>>, options: RunCliOptions): Promise<HostRunResult[]> {
  if (options.force === true) {
    throw new AppError('input-invalid', 'redback run --in-process cannot --force: a run outside the maintenance windows needs a second engineer\'s approval, which goes through the queue; drop --in-process');
  }
  const progress = options.json === true ? undefined : new ProgressLines(jobs.map((j) => j.host.id));
  const results = await inPool(jobs, PARALLEL_HOSTS, async (job): Promise<HostRunResult> => {
    const plan = plans.get(job.playbook.id) as ReturnType<typeof compilePlaybook>;
    if (job.closedWindows.length > 0) return skippedResult(job.host.id, plan.playbookId, plan.checkMode, `outside maintenance windows (${job.closedWindows.join(', ')}); use --force`);
    const transport = createTransport(job.host, { configDir: config.dir, hosts: config.hosts });
    return await runPlanOnHost(plan, transport, { onEvent: (event) => progress?.update(job.host.id, describeRunEvent(event)) });
  });
  progress?.finish();
  await storeScans(config, results);
  return results;
}

/**
 * A successful scan becomes the host's stored inventory (what the advisory matcher and `redback inventory show`
 * read). Without a configured Redis there is nowhere to keep it: the command says so and the scan is only printed.
 */
async function storeScans(config: ResolvedConfig, results: readonly HostRunResult[]): Promise<void> {
  const scans = results.filter((r) => r.scan !== undefined && r.status !== 'failed' && r.status !== 'unreachable');
  if (scans.length === 0) return;
  if (!redisConfigured(config)) {
    process.stderr.write('Scan results not stored: no Redis configured (set redis.url in redback.yaml or REDIS_URL).\n');
    return;
  }
  try {
    await withInventoryStore(config, async (store) => {
      for (const result of scans) await store.save({ hostId: result.hostId, ...(result.scan as NonNullable<HostRunResult['scan']>) });
    });
    process.stderr.write(`Stored the inventory of ${scans.map((r) => r.hostId).join(', ')}.\n`);
  } catch (error) {
    process.stderr.write(`redback: the scan results could not be stored: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function selectHosts(config: ResolvedConfig, options: RunCliOptions): Host[] {
  if ((options.hosts === undefined) === (options.group === undefined)) {
    throw new AppError('input-invalid', 'redback run: give exactly one of --hosts ID,... or --group GROUP');
  }
  if (options.group !== undefined) {
    const members = hostsOfGroup(config, options.group);
    if (members.length === 0) throw new AppError('input-invalid', `redback run: group ${JSON.stringify(options.group)} has no hosts in the inventory; check the groups of your hosts`);
    return members;
  }
  const ids = (options.hosts as string).split(',').map((id) => id.trim()).filter((id) => id !== '');
  const unknown = ids.filter((id) => findHost(config, id) === undefined);
  if (unknown.length > 0) throw new AppError('input-invalid', `redback run: unknown host${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; known hosts: ${config.hosts.map((h) => h.id).join(', ')}`);
  return ids.map((id) => findHost(config, id) as Host);
}

function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('input-invalid', `redback run: --param expects key=value, given ${JSON.stringify(pair)}`);
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}

function compile(playbook: PlaybookEntry, params: Record<string, string>, checkMode: boolean) {
  try {
    return compilePlaybook(playbook, { params, checkMode });
  } catch (error) {
    if (error instanceof PlaybookInputError) throw new AppError('input-invalid', error.message, { details: error.issues });
    throw error;
  }
}

/**
 * The window policy of `redback run`: a host that any maintenance window targets may only be patched while one of
 * its windows is open (or with --force and a second engineer's approval). Hosts no window covers run at any time.
 */
function closedWindowsOf(config: ResolvedConfig, host: Host, now: Date): string[] {
  const windows = windowsForHost(config, host.id);
  if (windows.length === 0) return [];
  const open = windows.some((w) => isWindowOpen(w, now, { blackouts: blackoutsForWindow(config, w) }));
  return open ? [] : windows.map((w) => w.id);
}

function durationMs(text: string): number {
  const value = parseDuration(text);
  if (value === undefined || value < 1000) throw new InvalidArgumentError(`expected a duration of at least 1s like 30m or 2h, given ${JSON.stringify(text)}`);
  return value;
}
