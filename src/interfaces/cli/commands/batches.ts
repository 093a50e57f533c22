import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { BATCH_STATUSES, isFinalBatchStatus, type BatchStatus } from '../../../domain/index.js';
import { createLogger, ShutdownCoordinator } from '../../../platform/index.js';
import { cancelBatch, type OrchestrationContext } from '../../../releases/index.js';
import { batchCounts, batchHosts, listBatches, requireBatch, type BatchRecord } from '../../../store/index.js';
import { loadConfigForCli } from '../load-config.js';
import { registerBatchApprovalCommands } from './batch-approvals.js';
import { createOrchestrationContext } from '../orchestration-runtime.js';
import { wholeNumberAtLeast } from '../arguments.js';

interface Common {
  config?: string;
  json?: boolean;
}

export function registerBatchesCommand(program: Command): void {
  const batches = program.command('batches').description('Release batches: list, show (with live progress), approve, cancel');

  batches
    .command('list')
    .description('Batches by window start, newest first')
    .option('--config <dir>', 'configuration directory')
    .option('--status <status>', `only this status (${BATCH_STATUSES.join(', ')})`, batchStatus)
    .option('--customer <id>', 'only this customer')
    .option('--limit <n>', 'at most this many', wholeNumberAtLeast(1), 50)
    .option('--json', 'machine-readable output')
    .action(async (options: Common & { status?: BatchStatus; customer?: string; limit: number }) => {
      await withContext(options, 'cli', async (context) => {
        const found = await listBatches(context.redis, context.prefix, { status: options.status, customerId: options.customer, limit: options.limit });
        const rows = await Promise.all(found.map(async (b) => ({ ...summary(b), counts: await batchCounts(context.redis, context.prefix, b) })));
        if (options.json === true) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print('No batches.');
        // NOT RUN: deferred or skipped; TO DO: not finished yet (pending, queued or running).
        print(`${'BATCH'.padEnd(44)} ${'STATUS'.padEnd(18)} ${'WINDOW START'.padEnd(21)} HOSTS  OK FAIL NOT-RUN TO-DO`);
        for (const r of rows) {
          print(`${r.id.padEnd(44)} ${r.status.padEnd(18)} ${r.windowStart.slice(0, 19).padEnd(21)} ${String(r.counts.total).padStart(5)} ${String(r.counts.succeeded).padStart(3)} ${String(r.counts.failed).padStart(4)} ${String(r.counts.notRun).padStart(7)} ${String(r.counts.total - r.counts.succeeded - r.counts.failed - r.counts.notRun).padStart(5)}`);
        }
      });
    });

  batches
    .command('show <batchId>')
    .description('One batch with its hosts; --watch follows it until it finishes')
    .option('--config <dir>', 'configuration directory')
    .option('--json', 'machine-readable output')
    .option('--watch', 'redraw the progress every second until the batch reaches a final status')
    .action(async (batchId: string, options: Common & { watch?: boolean }) => {
      await withContext(options, 'cli', async (context) => {
        for (;;) {
          const batch = await requireBatch(context.redis, context.prefix, batchId);
          const hosts = await batchHosts(context.redis, context.prefix, batch);
          const counts = await batchCounts(context.redis, context.prefix, batch);
          if (options.json === true) print(JSON.stringify({ ...batch, counts, hosts }, null, 2));
          else print(renderBatch(batch, counts, hosts));
          if (options.watch !== true || isFinalBatchStatus(batch.status)) return;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (options.json !== true && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        }
      });
    });

  registerBatchApprovalCommands(batches);

  batches
    .command('cancel <batchId>')
    .description('Cancel a batch that has not finished: nothing more starts; runs in progress finish, or stop with --abort-running')
    .option('--config <dir>', 'configuration directory')
    .option('--as <name>', 'who cancels (default: $USER)')
    .option('--reason <text>', 'why, for the audit trail', 'cancelled from the CLI')
    .option('--abort-running', 'also stop the runs in progress (their commands are killed within about a second; a package manager stopped mid-way may need repair)')
    .action(async (batchId: string, options: Common & { as?: string; reason: string; abortRunning?: boolean }) => {
      const actor = options.as ?? process.env.USER ?? 'unknown';
      await withContext(options, actor, async (context) => {
        const batch = await requireBatch(context.redis, context.prefix, batchId);
        if (!(await cancelBatch(context, batch, options.reason, { abortRunning: options.abortRunning === true }))) {
          process.stderr.write(`redback: batch ${batchId} is ${batch.status}; only a batch that has not finished can be cancelled\n`);
          process.exitCode = 1;
          return;
        }
        print(options.abortRunning === true ? `Batch ${batchId} cancelled; runs in progress are being stopped.` : `Batch ${batchId} cancelled; runs in progress finish.`);
      });
    });
}

export async function withContext(options: { config?: string }, actor: string, body: (context: OrchestrationContext) => Promise<void>): Promise<void> {
  const logger = createLogger({ level: 'warn' });
  const shutdown = new ShutdownCoordinator(logger);
  try {
    const config = await loadConfigForCli(options.config);
    const context = await createOrchestrationContext({ config, logger, actor, shutdown });
    await body(context);
  } finally {
    await shutdown.shutdown();
  }
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function batchStatus(text: string): BatchStatus {
  if (!(BATCH_STATUSES as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${BATCH_STATUSES.join(', ')}, given ${JSON.stringify(text)}`);
  return text as BatchStatus;
}

function summary(batch: BatchRecord) {
  return { id: batch.id, status: batch.status, windowId: batch.windowId, customerId: batch.customerId, windowStart: batch.windowStart, cutoffAt: batch.cutoffAt, statusReason: batch.statusReason };
}

function renderBatch(batch: BatchRecord, counts: Awaited<ReturnType<typeof batchCounts>>, hosts: Awaited<ReturnType<typeof batchHosts>>): string {
  const done = counts.succeeded + counts.failed + counts.notRun;
  const width = 30;
  const filled = counts.total === 0 ? width : Math.round((done / counts.total) * width);
  const lines = [
    `Batch ${batch.id}`,
    `  status      ${batch.status}${batch.statusReason === null ? '' : ` (${batch.statusReason})`}`,
    `  window      ${batch.windowId} of ${batch.customerId}: ${batch.windowStart} to ${batch.windowEnd}, cutoff ${batch.cutoffAt}`,
    `  playbooks   ${batch.playbooks.join(', ')}${batch.checkMode ? ' (check mode)' : ''}`,
    `  approval    ${batch.approval}${batch.approvedBy === null ? '' : `, approved by ${batch.approvedBy}`}`,
    `  rollout     ${JSON.stringify(batch.rollout)}`,
    `  progress    [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${counts.total}: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.notRun} deferred/skipped, ${counts.inFlight} in flight`,
    '',
    '  HOST                     STATE        NOTE',
  ];
  for (const host of hosts) lines.push(`  ${host.hostId.padEnd(24)} ${host.state.padEnd(12)} ${host.note ?? ''}`);
  return lines.join('\n');
}
