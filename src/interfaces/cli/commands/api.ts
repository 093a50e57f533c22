import type { Command } from 'commander';
import { startApi } from '../../api/index.js';
import { createLogger, connectRedis, ShutdownCoordinator, systemClock } from '../../../platform/index.js';
import { AppError } from '../../../errors.js';
import { loadConfigForCli } from '../load-config.js';

interface ApiOptions {
  config?: string;
  listen?: string;
}

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('Run the HTTP API and console role against the configured Redis (several may run behind a load balancer)')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--listen <host:port>', 'address to listen on (default: api.listen in redback.yaml, 127.0.0.1:8080)')
    .action(async (options: ApiOptions) => {
      const logger = createLogger();
      const shutdown = new ShutdownCoordinator(logger);
      const stopped = shutdown.handleSignals();
      try {
        const config = await loadConfigForCli(options.config);
        const redisSettings = config.settings.redis;
        if (redisSettings.url === undefined && redisSettings.sentinel === undefined) {
          throw new AppError('prerequisite-missing', 'redback api needs a shared Redis: set redis.url (or redis.sentinel) in redback.yaml or REDIS_URL; `redback serve` runs everything with an embedded Redis instead');
        }
        const redis = await connectRedis(redisSettings, { reconnect: true, logger });
        shutdown.add('redis connection', async () => {
          await redis.quit();
        });
        const { app } = await startApi({ config, redis, logger, clock: systemClock, listen: options.listen });
        shutdown.add('http api', () => app.close());
      } catch (error) {
        await shutdown.shutdown();
        throw error;
      }
      await stopped;
    });
}
