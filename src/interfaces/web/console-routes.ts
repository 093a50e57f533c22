import { z } from 'zod';
import type { RouteTable } from '../api/route.js';

export interface ConsoleRouteDeps {
  now: () => Date;
}

/**
 * `GET /me`: who the token belongs to, so the console shows only the actions the person may take, and the server's
 * clock, so "due in 20 min" is counted from the same clock as the SLA and the windows, not from a skewed laptop.
 */
export function addConsoleRoutes(table: RouteTable, deps: ConsoleRouteDeps): void {
  table.add({
    method: 'GET',
    url: '/me',
    summary: 'The caller: user name, roles and customer scope',
    tag: 'console',
    role: 'viewer',
    response: z.object({ user: z.string(), roles: z.array(z.string()), customers: z.union([z.literal('*'), z.array(z.string())]), now: z.string() }),
    handler: async ({ principal }) => ({ user: principal!.user, roles: principal!.roles, customers: principal!.customers, now: deps.now().toISOString() }),
  });
}
