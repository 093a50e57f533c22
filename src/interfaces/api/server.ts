import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../platform/logger.js';
import { httpRequestsTotal } from '../../platform/metrics.js';
import { handleError, errorBody } from './http-errors.js';
import { buildOpenApiDocument } from './openapi.js';
import type { Authenticator } from './principal.js';
import { addReferenceRoutes } from './routes/reference.js';
import { RouteTable } from './route.js';

export interface ApiServerOptions {
  logger: Logger;
  authenticate: Authenticator;
  /** Adds the feature routes (operations, calendar, batches, incidents, ...) to the table. */
  routes: Array<(table: RouteTable) => void>;
  /** Extra plugins registered after the routes (the console's static files, bull-board). */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
  version?: string;
  bodyLimitBytes?: number;
}

/**
 * Builds the HTTP API: every route declared in one table (validation and OpenAPI from the same zod schemas), one
 * error body shape, bearer-token auth, rate limits on writes, request metrics.
 */
export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's FastifyBaseLogger describe the same object with different generics.
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 25 * 1024 * 1024,
    // Secrets in the Authorization header must not reach the request log.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody('not-found', `no route ${request.method} ${request.url.split('?')[0]}; see /api/reference`));
  });
  app.addHook('onResponse', async (request, reply) => {
    httpRequestsTotal.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  await app.register(rateLimit, {
    global: false,
    keyGenerator: (request) => request.headers.authorization ?? request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      ...errorBody('rate-limited', `too many write requests: at most ${context.max} per ${context.after}; try again later`),
    }),
  });

  const table = new RouteTable();
  for (const add of options.routes) add(table);
  const document = buildOpenApiDocument(table, { title: 'redback-uptime API', version: options.version ?? '0.1.0' });
  addReferenceRoutes(table, () => document);
  table.register(app, options.authenticate);
  for (const plugin of options.plugins ?? []) await plugin(app);
  return app;
}

/** Parses `HOST:PORT` (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[2]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new Error(`expected HOST:PORT such as 127.0.0.1:8080, given ${JSON.stringify(listen)}`);
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}
