import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { ResolvedConfig } from '../../../config/index.js';
import { buildCalendar, parseRangeBound, renderIcs } from '../../../scheduling/index.js';
import { checkFeedSecret, revokeFeedSecret, rotateFeedSecret } from '../../../store/calendar-feeds.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer } from '../principal.js';
import type { RouteTable } from '../route.js';

export interface CalendarDeps {
  config: ResolvedConfig;
  redis: Redis;
  prefix: string;
  /** The address people reach the API at, for feed URLs (redback.yaml `api.public_url`). */
  publicUrl: string;
  now: () => Date;
}

const rangeQuery = z.object({
  from: z.string().min(1, 'expected a date YYYY-MM-DD or an ISO 8601 instant'),
  to: z.string().min(1, 'expected a date YYYY-MM-DD or an ISO 8601 instant'),
  customer: z.string().optional(),
  host: z.string().optional(),
});

const FEED_DAYS_BACK = 31;
const FEED_DAYS_AHEAD = 400;

export function addCalendarRoutes(table: RouteTable, deps: CalendarDeps): void {
  table.add({
    method: 'GET',
    url: '/calendar',
    summary: 'Window occurrences in a range, and the occurrences removed by exclusions and blackouts with their reason',
    tag: 'calendar',
    role: 'viewer',
    query: rangeQuery,
    handler: async ({ query, principal }) => {
      if (query.customer !== undefined && !canSeeCustomer(principal!, query.customer)) {
        throw new HttpError(403, 'forbidden', `${principal!.user} may not see customer ${query.customer}`);
      }
      const expansion = buildCalendar(deps.config, {
        from: parseRangeBound(query.from, 'from'),
        to: parseRangeBound(query.to, 'to'),
        customerId: query.customer,
        hostId: query.host,
      });
      const visible = <T extends { customerId: string }>(items: readonly T[]) => items.filter((o) => canSeeCustomer(principal!, o.customerId));
      return { occurrences: visible(expansion.occurrences), removed: visible(expansion.removed) };
    },
  });

  table.add({
    method: 'POST',
    url: '/customers/:customerId/calendar-feed',
    summary: 'Create or rotate the secret ICS feed URL of a customer (the old URL stops working); the URL is shown once',
    tag: 'calendar',
    role: 'admin',
    write: true,
    params: z.object({ customerId: z.string() }),
    response: z.object({ customerId: z.string(), url: z.string() }),
    handler: async ({ params }) => {
      requireCustomer(deps.config, params.customerId);
      const secret = await rotateFeedSecret(deps.redis, deps.prefix, params.customerId);
      return { customerId: params.customerId, url: `${deps.publicUrl.replace(/\/$/, '')}/feeds/${params.customerId}/${secret}.ics` };
    },
  });

  table.add({
    method: 'DELETE',
    url: '/customers/:customerId/calendar-feed',
    summary: 'Revoke the ICS feed URL of a customer',
    tag: 'calendar',
    role: 'admin',
    write: true,
    params: z.object({ customerId: z.string() }),
    handler: async ({ params }) => {
      requireCustomer(deps.config, params.customerId);
      return { customerId: params.customerId, revoked: await revokeFeedSecret(deps.redis, deps.prefix, params.customerId) };
    },
  });

  table.add({
    method: 'GET',
    url: '/feeds/:customerId/:file',
    summary: 'A customer\'s maintenance windows as a subscribable iCalendar feed (the URL carries its secret)',
    tag: 'calendar',
    role: 'public',
    params: z.object({ customerId: z.string(), file: z.string().regex(/^[A-Za-z0-9_-]+\.ics$/, 'expected <secret>.ics') }),
    produces: 'text/calendar; charset=utf-8',
    handler: async ({ params }) => {
      const secret = params.file.slice(0, -'.ics'.length);
      // Same answer for an unknown customer and a wrong secret: the URL reveals nothing.
      if (deps.config.customers.every((c) => c.id !== params.customerId) || !(await checkFeedSecret(deps.redis, deps.prefix, params.customerId, secret))) {
        throw new HttpError(404, 'not-found', 'no such calendar feed (the URL may have been rotated or revoked)');
      }
      const now = deps.now().getTime();
      const expansion = buildCalendar(deps.config, {
        from: { kind: 'instant', ms: now - FEED_DAYS_BACK * 86_400_000 },
        to: { kind: 'instant', ms: now + FEED_DAYS_AHEAD * 86_400_000 },
        customerId: params.customerId,
      });
      const customer = deps.config.customers.find((c) => c.id === params.customerId)!;
      return renderIcs(expansion.occurrences, { name: `Maintenance windows: ${customer.name}`, now });
    },
  });
}

function requireCustomer(config: ResolvedConfig, customerId: string): void {
  if (config.customers.every((c) => c.id !== customerId)) {
    throw new HttpError(404, 'not-found', `no customer ${JSON.stringify(customerId)} in the inventory`);
  }
}
