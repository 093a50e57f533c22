import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../../../domain/index.js';
import { createLogger, ShutdownCoordinator } from '../../../platform/index.js';
import { createRunnerExecutor, startWorkerRole } from '../../../releases/index.js';
import { loadConfigForCli } from '../load-config.js';
import { createOrchestrationContext } from '../orchestration-runtime.js';
import { wholeNumberAtLeast } from '../arguments.js';

interface WorkerOptions {
  config?: string;
  concurrency: number;
  stalledAfter: number;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run the worker role: take host runs off the queue and run their playbooks. Many may run at once; a host lock keeps two runs off one host.')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--concurrency <n>', 'host runs this process works on at once', wholeNumberAtLeast(1), 10)
    .addOption(new Option('--stalled-after <duration>', 'how soon the runs of a worker that died are noticed and closed (job and host lock lifetime)').argParser(durationMs).default(30_000, '30s'))
    .action(async (options: WorkerOptions) => {
      const logger = createLogger();
      const shutdown = new ShutdownCoordinator(logger);
      const stopped = shutdown.handleSignals();
      try {
        const config = await loadConfigForCli(options.config);
        const context = await createOrchestrationContext({ config, logger, actor: 'system:worker', shutdown });
        const worker = startWorkerRole(context, {
          executor: createRunnerExecutor(config, logger, { store: { redis: context.redis, prefix: context.prefix } }),
          concurrency: options.concurrency,
          lockDurationMs: options.stalledAfter,
          stalledIntervalMs: options.stalledAfter,
        });
        shutdown.add('worker', () => worker.stop());
        logger.info({ worker: worker.workerId, concurrency: options.concurrency }, 'worker running; press Ctrl-C to stop (runs in progress finish first)');
      } catch (error) {
        await shutdown.shutdown();
        throw error;
      }
      await stopped;
    });
}


function durationMs(text: string): number {
  const value = parseDuration(text);
  if (value === undefined || value < 1000) throw new InvalidArgumentError(`expected a duration of at least 1s like 30s or 2m, given ${JSON.stringify(text)}`);
  return value;
}
