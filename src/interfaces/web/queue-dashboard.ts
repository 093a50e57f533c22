import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { throttledErrorReporter } from '../../platform/error-throttle.js';
import type { Logger } from '../../platform/logger.js';
import { NOTIFICATION_QUEUE } from '../../helpdesk/index.js';
import { HOST_RUN_QUEUE } from '../../queue/index.js';
import { errorBody } from '../api/http-errors.js';
import { hasRole, type Authenticator } from '../api/principal.js';
import { cookieValue, dashboardSessionUser, DASHBOARD_SESSION_TTL_SECONDS, openDashboardSession } from './dashboard-sessions.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const COOKIE = 'redback_queues';

export interface QueueDashboardOptions {
  redis: Redis;
  prefix: string;
  authenticate: Authenticator;
  logger: Logger;
}

/**
 * bull-board over the BullMQ queues (host runs, notifications), for admins only. A bearer token with the admin
 * role opens it directly; the console first calls `POST /admin/queues/session` with its token to get the cookie
 * the dashboard's own pages and API calls then carry.
 */
export function queueDashboardPlugin(options: QueueDashboardOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const { redis, prefix, authenticate } = options;
    const queues = [HOST_RUN_QUEUE, NOTIFICATION_QUEUE].map((name) => new Queue(name, { connection: redis, prefix }));
    for (const queue of queues) queue.on('error', throttledErrorReporter(options.logger, `queue dashboard: ${queue.name} queue error`));
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({ queues: queues.map((queue) => new BullMQAdapter(queue)), serverAdapter, options: { uiConfig: { boardTitle: 'redback queues' } } });

    const adminByToken = async (request: FastifyRequest): Promise<string | undefined> => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (token === undefined) return undefined;
      const principal = await authenticate(token);
      return principal !== undefined && hasRole(principal, 'admin') ? principal.user : undefined;
    };

    await app.register(async (dashboard) => {
      dashboard.addHook('onRequest', async (request, reply) => {
        if (request.url.split('?')[0] === `${QUEUE_DASHBOARD_PATH}/session`) return;
        const session = cookieValue(request.headers.cookie, COOKIE);
        const user = (session === undefined ? undefined : await dashboardSessionUser(redis, prefix, session)) ?? (await adminByToken(request));
        if (user === undefined) {
          await reply.status(401).send(errorBody('unauthorized', 'the queue dashboard is for admins: open it from the console (Queues) or send an admin bearer token'));
        }
      });
      dashboard.post('/session', async (request, reply) => {
        const user = await adminByToken(request);
        if (user === undefined) return reply.status(403).send(errorBody('forbidden', 'the queue dashboard needs a token with the admin role'));
        const id = await openDashboardSession(redis, prefix, user);
        void reply.header('set-cookie', `${COOKIE}=${id}; Path=${QUEUE_DASHBOARD_PATH}; HttpOnly; SameSite=Strict; Max-Age=${DASHBOARD_SESSION_TTL_SECONDS}`);
        return { url: `${QUEUE_DASHBOARD_PATH}/`, expiresInSeconds: DASHBOARD_SESSION_TTL_SECONDS };
      });
      await dashboard.register(serverAdapter.registerPlugin());
    }, { prefix: QUEUE_DASHBOARD_PATH });

    app.addHook('onClose', async () => {
      await Promise.all(queues.map((queue) => queue.close()));
    });
  };
}
