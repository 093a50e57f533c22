import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ResolvedConfig } from '../../config/index.js';
import type { Clock } from '../../platform/clock.js';
import { throttledErrorReporter } from '../../platform/error-throttle.js';
import type { Logger } from '../../platform/logger.js';
import { queueDepth } from '../../platform/metrics.js';
import { createHostRunQueue } from '../../queue/index.js';
import { AppError } from '../../errors.js';
import { createAuditWriter } from '../../releases/index.js';
import { addConsoleRoutes, consolePlugin, queueDashboardPlugin } from '../web/index.js';
import { addAdvisoryRoutes } from './routes/advisories.js';
import { addApprovalRoutes } from './routes/approvals.js';
import { addCalendarRoutes } from './routes/calendar.js';
import { addLiveRoutes } from './routes/live.js';
import { addOperationsRoutes } from './routes/operations.js';
import { addRecordRoutes } from './routes/records.js';
import type { RouteTable } from './route.js';
import { buildApiServer, parseListen } from './server.js';
import { tokenAuthenticator } from './token-authenticator.js';

export interface ApiRuntimeOptions {
  config: ResolvedConfig;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  /** `HOST:PORT`; default redback.yaml `api.listen`. */
  listen?: string;
  /** More route groups (console, writes) added by the caller. */
  extraRoutes?: Array<(table: RouteTable) => void>;
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
}

/** Builds the API with every route group, starts listening, and returns the server and its address. */
export async function startApi(options: ApiRuntimeOptions): Promise<{ app: FastifyInstance; url: string }> {
  const { config, redis, logger, clock } = options;
  const prefix = config.settings.redis.prefix;
  const listen = parseListen(options.listen ?? config.settings.api.listen);
  const queue = createHostRunQueue(redis, prefix);
  queue.on('error', throttledErrorReporter(logger, 'host-run queue error'));
  const authenticate = tokenAuthenticator(redis, prefix);
  // The approval service's context; its actor is replaced by the caller on each request.
  const approvals = { config, redis, prefix, queue, clock, logger, audit: createAuditWriter(redis, prefix, logger), actor: 'system:api' };
  const app = await buildApiServer({
    logger,
    authenticate,
    routes: [
      (table) =>
        addOperationsRoutes(table, {
          redis,
          countWorkers: async () => (await queue.getWorkers()).length,
          beforeScrape: async () => {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
            for (const [state, count] of Object.entries(counts)) queueDepth.set({ queue: queue.name, state }, count);
          },
        }),
      (table) => addCalendarRoutes(table, { config, redis, prefix, publicUrl: config.settings.api.publicUrl ?? `http://${options.listen ?? config.settings.api.listen}`, now: () => clock.now() }),
      (table) => addRecordRoutes(table, { redis, prefix }),
      (table) => addLiveRoutes(table, { redis, prefix }),
      (table) => addApprovalRoutes(table, { context: approvals }),
      (table) => addAdvisoryRoutes(table, { context: approvals }),
      (table) => addConsoleRoutes(table, { now: () => clock.now() }),
      ...(options.extraRoutes ?? []),
    ],
    plugins: [consolePlugin(), queueDashboardPlugin({ redis, prefix, authenticate, logger }), ...(options.plugins ?? [])],
  });
  app.addHook('onClose', async () => {
    await approvals.audit.flush();
    await queue.close();
  });
  let url: string;
  try {
    url = await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    await app.close().catch(() => undefined);
    const why = code === 'EADDRINUSE' ? 'is already in use (another redback serve or api, or another program)' : 'may not be opened by this user';
    throw new AppError('prerequisite-missing', `the API address ${listen.host}:${listen.port} ${why}; stop that process or set api.listen in redback.yaml to another address`);
  }
  logger.info({ url }, 'API listening');
  return { app, url };
}
