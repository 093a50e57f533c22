import type { Command } from 'commander';
import { findHost, hostsOfGroup, resolvePlaybook, type Host, type PlaybookEntry, type ResolvedConfig } from '../../../config/index.js';
import { formatDuration } from '../../../domain/index.js';
import { compilePlaybook, createTransport, PlaybookInputError, runPlanOnHost, type HostRunResult, type RunEvent } from '../../../execution/index.js';
import { AppError } from '../../../errors.js';
import { blackoutsForWindow, isWindowOpen, windowsForHost } from '../../../scheduling/index.js';
import { redisConfigured, withInventoryStore } from '../inventory-session.js';
import { loadConfigForCli } from '../load-config.js';

interface RunCliOptions {
  hosts?: string;
  group?: string;
  check?: boolean;
  param: string[];
  force?: boolean;
  json?: boolean;
  config?: string;
}

/** Hosts run at the same time; the rest wait for a free slot. */
const PARALLEL_HOSTS = 5;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a playbook now on some hosts (in this process), with a live line per host and a summary')
    .argument('<playbook>', 'playbook id (debian-security-patch) or kind (security-patch: the playbook of that kind for each host\'s OS)')
    .option('--hosts <ids>', 'comma-separated inventory host ids')
    .option('--group <group>', 'every host of an inventory group')
    .option('--check', 'check mode: run the check commands only and report what would change')
    .option('--param <key=value>', 'a playbook parameter (repeatable); packages as name[=version],...', collect, [])
    .option('--force', 'run hosts that maintenance windows cover even though none of their windows is open now')
    .option('--json', 'print the results as JSON')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .action(async (reference: string, options: RunCliOptions) => {
      const config = await loadConfigForCli(options.config);
      const hosts = selectHosts(config, options);
      const params = parseParams(options.param);
      const now = new Date();

      const jobs = hosts.map((host) => {
        const playbook = resolvePlaybook(config, reference, host.os);
        if (playbook === undefined) {
          throw new AppError('input-invalid', `no playbook ${JSON.stringify(reference)} for host ${host.id} (os ${host.os}); give a playbook id or a kind that exists for ${host.os} (${config.playbooks.filter((p) => p.os === host.os).map((p) => p.id).join(', ') || 'none'})`);
        }
        return { host, playbook, closedWindows: options.force === true ? [] : closedWindowsOf(config, host, now) };
      });
      // Every plan is compiled before anything runs: a bad parameter stops the whole command, not half of it.
      const plans = new Map<string, ReturnType<typeof compilePlaybook>>();
      for (const job of jobs) {
        if (!plans.has(job.playbook.id)) plans.set(job.playbook.id, compile(job.playbook, params, options.check === true));
      }

      const refused = jobs.filter((j) => j.closedWindows.length > 0);
      if (refused.length > 0 && options.json !== true) {
        process.stderr.write(`Outside maintenance windows: ${refused.map((j) => `${j.host.id} (windows ${j.closedWindows.join(', ')} are closed)`).join('; ')}.\n`);
        process.stderr.write('These hosts are skipped; run again with --force to run them now anyway.\n');
      }

      const progress = options.json === true ? undefined : new ProgressLines(jobs.map((j) => j.host.id));
      const results = await inPool(jobs, PARALLEL_HOSTS, async (job): Promise<HostRunResult> => {
        const plan = plans.get(job.playbook.id) as ReturnType<typeof compilePlaybook>;
        if (job.closedWindows.length > 0) return skipped(job.host.id, plan.playbookId, plan.checkMode, `outside maintenance windows (${job.closedWindows.join(', ')}); use --force`);
        const transport = createTransport(job.host, { configDir: config.dir, hosts: config.hosts });
        return await runPlanOnHost(plan, transport, { onEvent: (event) => progress?.update(job.host.id, describeEvent(event)) });
      });
      progress?.finish();
      await storeScans(config, results);

      if (options.json === true) process.stdout.write(`${JSON.stringify({ playbook: reference, checkMode: options.check === true, results }, null, 2)}\n`);
      else process.stdout.write(renderSummary(results));
      if (results.some((r) => r.status === 'failed' || r.status === 'unreachable')) process.exitCode = 1;
    });
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
 * The window policy until runs go through the queue: a host that any maintenance window targets may only be
 * patched while one of its windows is open (or with --force). Hosts no window covers may run at any time.
 */
function closedWindowsOf(config: ResolvedConfig, host: Host, now: Date): string[] {
  const windows = windowsForHost(config, host.id);
  if (windows.length === 0) return [];
  const open = windows.some((w) => isWindowOpen(w, now, { blackouts: blackoutsForWindow(config, w) }));
  return open ? [] : windows.map((w) => w.id);
}

function skipped(hostId: string, playbookId: string, checkMode: boolean, message: string): HostRunResult {
  const now = new Date().toISOString();
  return {
    hostId, playbookId, checkMode, status: 'skipped', failureClass: null, failedAt: null, message,
    startedAt: now, finishedAt: now, durationMs: 0, commands: [], packagesChanged: [], plannedChanges: [],
    reboot: { policy: 'never', required: null, performed: false },
  };
}

function describeEvent(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'command-start':
      return `${event.phase}${event.phase === 'step' ? '' : ':'} ${event.name}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''} …`;
    case 'command-end':
      return `${event.result.phase} ${event.result.name}: ${event.result.status}${event.result.exitCode === null ? '' : ` (exit ${event.result.exitCode})`}`;
    case 'retry':
      return `retrying ${event.name} in ${formatDuration(event.delayMs)}: ${event.reason}`;
    case 'reboot':
      return event.state === 'started' ? 'rebooting, waiting for the host to return …' : 'back after reboot';
    case 'output':
      return undefined;
  }
}

/** One line per host on stderr: rewritten in place on a terminal, appended otherwise (logs, CI). */
class ProgressLines {
  private readonly lines = new Map<string, string>();
  private readonly tty = process.stderr.isTTY === true;
  private drawn = 0;
  private readonly width: number;

  constructor(private readonly hostIds: readonly string[]) {
    this.width = Math.max(...hostIds.map((id) => id.length), 4);
    for (const id of hostIds) this.lines.set(id, 'waiting');
    this.draw();
  }

  update(hostId: string, text: string | undefined): void {
    if (text === undefined) return;
    this.lines.set(hostId, text);
    if (this.tty) this.draw();
    else process.stderr.write(`${hostId.padEnd(this.width)}  ${text}\n`);
  }

  finish(): void {
    if (this.tty) this.draw();
  }

  private draw(): void {
    if (!this.tty) return;
    const columns = process.stderr.columns ?? 100;
    if (this.drawn > 0) process.stderr.write(`\x1b[${this.drawn}A`);
    for (const id of this.hostIds) process.stderr.write(`\x1b[2K${`${id.padEnd(this.width)}  ${this.lines.get(id) ?? ''}`.slice(0, columns - 1)}\n`);
    this.drawn = this.hostIds.length;
  }
}

function renderSummary(results: readonly HostRunResult[]): string {
  const rows = results.map((r) => [
    r.hostId,
    r.status,
    r.failureClass ?? '',
    summarizeChanges(r),
    r.reboot.performed ? 'rebooted' : r.reboot.required === true ? 'needed' : '',
    formatDuration(r.durationMs),
    r.message ?? '',
  ]);
  const header = ['HOST', 'STATUS', 'CLASS', 'PACKAGES', 'REBOOT', 'TIME', 'MESSAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [line(header), ...rows.map(line), '', [...counts].map(([status, n]) => `${n} ${status}`).join(', '), ''].join('\n');
}

function summarizeChanges(result: HostRunResult): string {
  const changes = result.checkMode ? result.plannedChanges : result.packagesChanged;
  if (changes.length === 0) return '';
  const first = changes.slice(0, 2).map((c) => `${c.name} ${c.before ?? '-'}→${c.after ?? '-'}`).join(', ');
  return `${result.checkMode ? 'would: ' : ''}${first}${changes.length > 2 ? ` +${changes.length - 2}` : ''}`;
}

async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
