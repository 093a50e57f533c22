import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the text only when Redis does not know it yet (after a
 * restart or on a new server). Sending the whole text with every EVAL costs more than the script itself.
 */
const shas = new Map<string, string>();

export async function runScript(redis: Redis, script: string, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    return await redis.eval(script, keys.length, ...keys, ...args);
  }
}

const DELETE_IF_HELD = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Frees a lock key (`SET key token NX PX ttl`) only if `token` still holds it: a holder whose lock expired and was
 * taken by another must not free the other's. True if this call freed it.
 */
export async function releaseLockKey(redis: Redis, key: string, token: string): Promise<boolean> {
  return (await runScript(redis, DELETE_IF_HELD, [key], [token])) === 1;
}
