import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Secret calendar feed URLs, one per customer. Calendar clients cannot send a bearer token, so the secret is in the
 * URL; only its SHA-256 is stored, and rotating or revoking it makes every old URL stop working.
 */
function key(prefix: string): string {
  return `${prefix}:calendar-feeds`;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Creates or rotates the feed secret of a customer; returns the secret, which is not stored and not shown again. */
export async function rotateFeedSecret(redis: Redis, prefix: string, customerId: string): Promise<string> {
  const secret = randomBytes(24).toString('base64url');
  await redis.hset(key(prefix), customerId, digest(secret));
  return secret;
}

export async function revokeFeedSecret(redis: Redis, prefix: string, customerId: string): Promise<boolean> {
  return (await redis.hdel(key(prefix), customerId)) === 1;
}

export async function checkFeedSecret(redis: Redis, prefix: string, customerId: string, secret: string): Promise<boolean> {
  const stored = await redis.hget(key(prefix), customerId);
  if (stored === null) return false;
  const given = Buffer.from(digest(secret), 'hex');
  return timingSafeEqual(given, Buffer.from(stored, 'hex'));
}
