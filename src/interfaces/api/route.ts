import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { errorBody, HttpError, zodDetails } from './http-errors.js';
import { hasRole, type Authenticator, type Principal, type Role } from './principal.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext<P, Q, B> {
  principal: Principal | undefined;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * One endpoint: its zod schemas are both the validation and the OpenAPI description, so the two cannot drift.
 * `role: 'public'` needs no token; any other role needs a bearer token whose principal has it.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Fastify path syntax: `/batches/:id`. */
  url: string;
  summary: string;
  tag: string;
  role: Role | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The 200 response, for the OpenAPI document. */
  response?: z.ZodType;
  /** Writes are rate-limited per principal. */
  write?: boolean;
  /** Content type of a non-JSON response (ICS, HTML, Prometheus text). */
  produces?: string;
  handler: (context: RouteContext<P, Q, B>) => Promise<unknown>;
}

export const WRITE_RATE_LIMIT = { max: 60, timeWindow: '1 minute' } as const;

export class RouteTable {
  readonly routes: RouteSpec<never, never, never>[] = [];

  add<P, Q, B>(spec: RouteSpec<P, Q, B>): this {
    this.routes.push(spec as unknown as RouteSpec<never, never, never>);
    return this;
  }

  register(app: FastifyInstance, authenticate: Authenticator): void {
    for (const spec of this.routes as unknown as RouteSpec<unknown, unknown, unknown>[]) {
      app.route({
        method: spec.method,
        url: spec.url,
        config: spec.write === true ? { rateLimit: WRITE_RATE_LIMIT } : { rateLimit: false },
        handler: async (request, reply) => {
          const principal = spec.role === 'public' ? await optionalPrincipal(request, authenticate) : await requirePrincipal(request, authenticate, spec.role);
          const context: RouteContext<unknown, unknown, unknown> = {
            principal,
            params: parse('params', spec.params, request.params),
            query: parse('query', spec.query, request.query),
            body: parse('body', spec.body, request.body),
            request,
            reply,
          };
          const result = await spec.handler(context);
          if (reply.sent) return reply;
          if (spec.produces !== undefined) void reply.type(spec.produces);
          return result;
        },
      });
    }
  }
}

function parse<T>(where: 'body' | 'query' | 'params', schema: z.ZodType<T> | undefined, value: unknown): T {
  if (schema === undefined) return value as T;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new HttpError(400, 'input-invalid', `invalid request ${where}: ${result.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ')}`, zodDetails(where, result.error));
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

async function optionalPrincipal(request: FastifyRequest, authenticate: Authenticator): Promise<Principal | undefined> {
  const token = bearerToken(request);
  return token === undefined ? undefined : await authenticate(token);
}

async function requirePrincipal(request: FastifyRequest, authenticate: Authenticator, role: Role): Promise<Principal> {
  const token = bearerToken(request);
  if (token === undefined) throw new HttpError(401, 'unauthorized', 'this endpoint needs an API token: send "Authorization: Bearer <token>" (create one with `redback tokens create`)');
  const principal = await authenticate(token);
  if (principal === undefined) throw new HttpError(401, 'unauthorized', 'the API token is unknown or revoked');
  if (!hasRole(principal, role)) throw new HttpError(403, 'forbidden', `this endpoint needs the ${role} role; ${principal.user} has ${principal.roles.join(', ') || 'no roles'}`);
  return principal;
}

export { errorBody };
