import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Browser sessions for the queue dashboard. Its pages are plain navigations that cannot carry the console's bearer
 * token, so an admin's token buys a random session id, sent back as an HttpOnly, SameSite=Strict cookie scoped to
 * the dashboard's path. Redis keeps only a digest of the id, with a TTL, so every API replica honours it.
 */
export const DASHBOARD_SESSION_TTL_SECONDS = 3600;

function sessionKey(prefix: string, id: string): string {
  return `${prefix}:queue-dashboard:session:${createHash('sha256').update(id).digest('hex')}`;
}

export async function openDashboardSession(redis: Redis, prefix: string, user: string): Promise<string> {
  const id = randomBytes(32).toString('base64url');
  await redis.set(sessionKey(prefix, id), user, 'EX', DASHBOARD_SESSION_TTL_SECONDS);
  return id;
}

/** The user of a live session, or undefined. */
export async function dashboardSessionUser(redis: Redis, prefix: string, id: string): Promise<string | undefined> {
  return (await redis.get(sessionKey(prefix, id))) ?? undefined;
}

/** The value of one cookie from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
