import { resolve } from 'node:path';
import type { Command } from 'commander';
import { hostsOfWindow } from '../../../config/index.js';
import { createLogger, connectRedis, ShutdownCoordinator, startRedisServer, systemClock } from '../../../platform/index.js';
import { startApi } from '../../api/index.js';
import { startHeartbeat } from '../../../platform/heartbeat.js';
import { loadConfigForCli } from '../load-config.js';
import { createRunnerExecutor, startScheduler, startWorkerRole } from '../../../releases/index.js';
import { createOrchestrationContext } from '../orchestration-runtime.js';
import { DEFAULT_HEARTBEAT_FILE } from './health.js';
import { startHelpdeskRuntime } from '../../../helpdesk/index.js';

interface ServeOptions {
  config?: string;
  dataDir: string;
  heartbeat: string;
  listen?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run every role in one process (scheduler, workers, API); without a Redis URL, start an embedded redis-server')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--data-dir <dir>', 'where the embedded Redis keeps its append-only file', './var/redis')
    .option('--heartbeat <file>', 'status file rewritten every 10 s, read by `redback health`', DEFAULT_HEARTBEAT_FILE)
    .option('--listen <host:port>', 'API and console address (default: api.listen in redback.yaml, 127.0.0.1:8080)')
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger();
  const shutdown = new ShutdownCoordinator(logger);
  const stopped = shutdown.handleSignals();
  try {
    const config = await loadConfigForCli(options.config);
    logger.info(
      { dir: config.dir, customers: config.customers.length, hosts: config.hosts.length, windows: config.windows.length, playbooks: config.playbooks.length },
      'configuration loaded',
    );
    for (const warning of config.warnings) logger.warn({ file: warning.file, line: warning.line, path: warning.path }, warning.message);

    let redisSettings: { url?: string; sentinel?: typeof config.settings.redis.sentinel } = config.settings.redis;
    if (redisSettings.url === undefined && redisSettings.sentinel === undefined) {
      const dataDir = resolve(options.dataDir);
      const server = await startRedisServer({ dataDir, appendOnly: true, ownProcessGroup: true });
      shutdown.add('embedded redis-server', () => server.stop());
      logger.info({ url: server.url, dataDir }, 'started embedded redis-server (append-only file on); set redis.url or REDIS_URL to use your own');
      redisSettings = { url: server.url };
    }
    const redis = await connectRedis(redisSettings, { reconnect: true, logger });
    shutdown.add('redis connection', async () => {
      await redis.quit();
    });
    logger.info({ redis: redisSettings.url === undefined ? 'sentinel' : redactUrl(redisSettings.url) }, 'connected to Redis');

    for (const window of config.windows) {
      const hosts = hostsOfWindow(config, window);
      logger.info(
        { window: window.id, customer: window.customerId, timezone: window.timezone, rule: window.rrule ?? window.cron, start: window.start, hosts: hosts.map((h) => h.id), playbooks: window.playbooks },
        'scheduling window',
      );
    }
    // Registered worker first so that shutdown (newest first) stops the scheduler before the workers.
    const context = await createOrchestrationContext({ config, logger, actor: 'system:serve', shutdown, redisUrl: redisSettings.url });
    const worker = startWorkerRole(context, { executor: createRunnerExecutor(config, logger, { store: { redis: context.redis, prefix: context.prefix } }), concurrency: 10 });
    shutdown.add('worker', () => worker.stop());
    const helpdesk = startHelpdeskRuntime({ config, redis, logger });
    shutdown.add('helpdesk', () => helpdesk.stop());
    const scheduler = startScheduler(context, { deliverReminder: helpdesk.deliverApprovalReminder });
    shutdown.add('scheduler', () => scheduler.stop());
    const { app, url } = await startApi({ config, redis, logger, clock: systemClock, listen: options.listen });
    shutdown.add('http api', () => app.close());
    logger.info({ url }, 'console and API ready');
    const heartbeat = startHeartbeat(resolve(options.heartbeat), 'serve');
    shutdown.add('heartbeat', () => heartbeat.stop());
    logger.info('ready; press Ctrl-C to stop');
  } catch (error) {
    await shutdown.shutdown();
    throw error;
  }
  await stopped;
  logger.info('stopped cleanly');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//[redacted]@');
}
