import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { getUser, verifyToken } from '../../store/index.js';
import type { Authenticator, Principal } from './principal.js';

export interface TokenAuthenticatorOptions {
  /**
   * How long a verified token is trusted without asking Redis again. Verification runs scrypt (tens of
   * milliseconds of CPU by design), which would otherwise be paid on every request of a busy console; the price is
   * that a revoked token keeps working in this process for at most this long.
   */
  cacheMs?: number;
  now?: () => number;
}

/** Bearer tokens from `redback tokens create`, resolved to the user's roles and customer scope. */
export function tokenAuthenticator(redis: Redis, prefix: string, options: TokenAuthenticatorOptions = {}): Authenticator {
  const cacheMs = options.cacheMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { principal: Principal; until: number }>();
  // A console opening many requests at once presents the same uncached token many times: check it once.
  const inFlight = new Map<string, Promise<Principal | undefined>>();
  const verify = async (key: string, token: string): Promise<Principal | undefined> => {
    const check = await verifyToken(redis, prefix, token);
    if (!check.ok) return undefined;
    const user = await getUser(redis, prefix, check.record.user);
    if (user === undefined) return undefined;
    const principal: Principal = { user: user.name, roles: user.roles, customers: user.customers.includes('*') ? '*' : user.customers };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { principal, until: now() + cacheMs });
    return principal;
  };
  return async (token) => {
    // Keyed by a digest so the cache never holds a token itself.
    const key = createHash('sha256').update(token).digest('hex');
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > now()) return cached.principal;
    cache.delete(key);
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = verify(key, token).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return await pending;
  };
}
