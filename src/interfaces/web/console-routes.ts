import { z } from 'zod';
import type { RouteTable } from '../api/route.js';

/** `GET /me`: who the token belongs to, so the console shows only the actions the person may take. */
export function addConsoleRoutes(table: RouteTable): void {
  table.add({
    method: 'GET',
    url: '/me',
    summary: 'The caller: user name, roles and customer scope',
    tag: 'console',
    role: 'viewer',
    response: z.object({ user: z.string(), roles: z.array(z.string()), customers: z.union([z.literal('*'), z.array(z.string())]) }),
    handler: async ({ principal }) => ({ user: principal!.user, roles: principal!.roles, customers: principal!.customers }),
  });
}
