import type { Command } from 'commander';
import { createLogger, ShutdownCoordinator } from '../../../platform/index.js';
import { startHelpdeskRuntime } from '../../../helpdesk/index.js';
import { startScheduler } from '../../../releases/index.js';
import { loadConfigForCli } from '../load-config.js';
import { createOrchestrationContext } from '../orchestration-runtime.js';

export function registerSchedulerCommand(program: Command): void {
  program
    .command('scheduler')
    .description('Run the scheduler role: plan batches before each window, start them when it opens, dispatch hosts, defer at the cutoff, remind approvers; and the helpdesk (run events -> incidents, SLA tick, notifications). Several may run at once.')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .action(async (options: { config?: string }) => {
      const logger = createLogger();
      const shutdown = new ShutdownCoordinator(logger);
      const stopped = shutdown.handleSignals();
      try {
        const config = await loadConfigForCli(options.config);
        const context = await createOrchestrationContext({ config, logger, actor: 'system:scheduler', shutdown });
        // The helpdesk runs beside every scheduler: run events -> incidents (one consumer group, so several
        // schedulers share the events), the SLA tick, notification delivery, and approval reminders.
        const helpdesk = startHelpdeskRuntime({ config, redis: context.redis, logger });
        shutdown.add('helpdesk', () => helpdesk.stop());
        const scheduler = startScheduler(context, { deliverReminder: helpdesk.deliverApprovalReminder });
        shutdown.add('scheduler', () => scheduler.stop());
        logger.info({ windows: config.windows.length, prefix: context.prefix }, 'scheduler running (with the helpdesk); press Ctrl-C to stop');
      } catch (error) {
        await shutdown.shutdown();
        throw error;
      }
      await stopped;
    });
}
