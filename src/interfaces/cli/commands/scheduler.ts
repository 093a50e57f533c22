import type { Command } from 'commander';
import { createLogger, ShutdownCoordinator } from '../../../platform/index.js';
import { startScheduler } from '../../../releases/index.js';
import { loadConfigForCli } from '../load-config.js';
import { createOrchestrationContext } from '../orchestration-runtime.js';

export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('Run the scheduler role: plan batches before each window, start them when it opens, dispatch hosts, defer at the cutoff. Several may run at once.')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .action(async (options: { config?: string }) => {
      const logger = createLogger();
      const shutdown = new ShutdownCoordinator(logger);
      const stopped = shutdown.handleSignals();
      try {
        const config = await loadConfigForCli(options.config);
        const context = await createOrchestrationContext({ config, logger, actor: 'system:scheduler', shutdown });
        const scheduler = startScheduler(context);
        shutdown.add('scheduler', () => scheduler.stop());
        logger.info({ windows: config.windows.length, prefix: context.prefix }, 'scheduler running; press Ctrl-C to stop');
      } catch (error) {
        await shutdown.shutdown();
        throw error;
      }
      await stopped;
    });
}
