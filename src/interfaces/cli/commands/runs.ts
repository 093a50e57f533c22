import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { RUN_STATUSES, type RunStatus } from '../../../domain/index.js';
import { getRun, listRuns, readRunLog, requireRun, RUN_LOG_MAX_LINES, type RunLogLine } from '../../../store/index.js';
import { print, withContext } from './batches.js';
import { wholeNumberAtLeast } from '../arguments.js';

interface Common {
  config?: string;
  json?: boolean;
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('Host runs: list, show, logs (with --follow for a live run)');

  runs
    .command('list')
    .description('Runs newest first, by batch, host, customer, status or time')
    .option('--config <dir>', 'configuration directory')
    .option('--batch <id>', 'only this batch')
    .option('--host <id>', 'only this host')
    .option('--customer <id>', 'only this customer')
    .option('--status <status>', `only this status (${RUN_STATUSES.join(', ')})`, runStatus)
    .option('--since <iso>', 'queued at or after this instant', instant)
    .option('--limit <n>', 'at most this many', wholeNumberAtLeast(1), 100)
    .option('--json', 'machine-readable output')
    .action(async (options: Common & { batch?: string; host?: string; customer?: string; status?: RunStatus; since?: Date; limit: number }) => {
      await withContext(options, 'cli', async (context) => {
        const found = await listRuns(context.redis, context.prefix, { batchId: options.batch, hostId: options.host, customerId: options.customer, status: options.status, from: options.since, limit: options.limit });
        if (options.json === true) return print(JSON.stringify(found.map(({ steps: _steps, ...run }) => run), null, 2));
        if (found.length === 0) return print('No runs.');
        print(`${'RUN'.padEnd(56)} ${'STATUS'.padEnd(12)} ${'CLASS'.padEnd(13)} ${'STARTED'.padEnd(20)} DURATION`);
        for (const run of found) {
          print(`${run.id.padEnd(56)} ${run.status.padEnd(12)} ${(run.failureClass ?? '-').padEnd(13)} ${(run.startedAt ?? '-').slice(0, 19).padEnd(20)} ${run.durationMs === null ? '-' : `${(run.durationMs / 1000).toFixed(1)} s`}`);
        }
      });
    });

  runs
    .command('show <runId>')
    .description('One run: status, failure class, reason, steps with their (capped) output')
    .option('--config <dir>', 'configuration directory')
    .option('--json', 'machine-readable output')
    .action(async (runId: string, options: Common) => {
      await withContext(options, 'cli', async (context) => {
        const run = await requireRun(context.redis, context.prefix, runId);
        if (options.json === true) return print(JSON.stringify(run, null, 2));
        print(`Run ${run.id}`);
        print(`  status     ${run.status}${run.failureClass === null ? '' : ` (${run.failureClass})`}`);
        if (run.reason !== null) print(`  reason     ${run.reason}`);
        if (run.deferredTo !== null) print(`  deferred   to ${run.deferredTo}`);
        print(`  attempts   ${run.attempts}, worker ${run.workerId ?? '-'}`);
        print(`  times      queued ${run.queuedAt}, started ${run.startedAt ?? '-'}, finished ${run.finishedAt ?? '-'}`);
        for (const step of run.steps) {
          print(`  - ${step.name}: ${step.status}, exit ${step.exitCode ?? '-'}, ${step.durationMs} ms${step.truncatedBytes > 0 ? `, ${step.truncatedBytes} bytes not kept` : ''}`);
          for (const line of step.stdout.split('\n').filter((l) => l !== '').slice(-5)) print(`      ${line}`);
          for (const line of step.stderr.split('\n').filter((l) => l !== '').slice(-5)) print(`      ! ${line}`);
        }
      });
    });

  runs
    .command('logs <runId>')
    .description('The output lines of a run; --follow prints new lines until the run ends')
    .option('--config <dir>', 'configuration directory')
    .option('--follow', 'keep printing while the run is queued or running')
    .option('--json', 'one JSON object per line')
    .action(async (runId: string, options: Common & { follow?: boolean }) => {
      await withContext(options, 'cli', async (context) => {
        await requireRun(context.redis, context.prefix, runId);
        let next = 0;
        for (;;) {
          const page = await readRunLog(context.redis, context.prefix, runId, next);
          next = page.next;
          if (page.dropped > 0) print(droppedNotice(page.dropped));
          for (const line of page.lines) print(options.json === true ? JSON.stringify(line) : formatLogLine(line));
          const run = await getRun(context.redis, context.prefix, runId);
          if (options.follow !== true || (run !== undefined && run.status !== 'queued' && run.status !== 'running')) return;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      });
    });
}

function droppedNotice(dropped: number): string {
  return `… ${dropped} line${dropped === 1 ? '' : 's'} not kept here (a run log keeps its last ${RUN_LOG_MAX_LINES}; each step's record in \`redback runs show\` keeps the end of its output)`;
}

/** `21:00:03Z [step name] text`; stderr lines are marked `!`. The step is bracketed because step names have spaces. */
function formatLogLine(line: RunLogLine): string {
  return `${line.at.slice(11, 19)}Z [${line.step}] ${line.stream === 'stderr' ? '! ' : ''}${line.line}`;
}

function runStatus(text: string): RunStatus {
  if (!(RUN_STATUSES as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${RUN_STATUSES.join(', ')}, given ${JSON.stringify(text)}`);
  return text as RunStatus;
}

function instant(text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`expected an ISO 8601 instant like 2026-03-12T21:00:00Z, given ${JSON.stringify(text)}`);
  return date;
}
