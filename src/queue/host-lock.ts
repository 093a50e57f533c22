import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { releaseLockKey, runScript, storeKeys } from '../store/index.js';

/**
 * One run per host at a time, across every worker process: `SET key token NX PX ttl`, renewed while the run
 * lasts, released by compare-and-delete so that a worker never frees a lock another worker took after its own
 * expired. A worker that dies stops renewing; the lock expires after `ttlMs`.
 */
export const DEFAULT_HOST_LOCK_TTL_MS = 30_000;

const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

export interface HostLock {
  readonly hostId: string;
  readonly token: string;
  /** Resolves when the lock was lost (renewal found another token or none); the run must stop. */
  readonly lost: Promise<void>;
  readonly isLost: boolean;
  /** Stops renewing without a release of its own: for a step that releases the lock together with other changes. */
  stopRenewing(): void;
  release(): Promise<void>;
}

export interface HostLockOptions {
  ttlMs?: number;
  /** Who holds it, for `redback` operators reading the key: `runId worker-name`. */
  owner: string;
  onRenewError?: (error: unknown) => void;
}

/** Takes the host's lock or returns undefined when another run holds it. */
export async function acquireHostLock(redis: Redis, prefix: string, hostId: string, options: HostLockOptions): Promise<HostLock | undefined> {
  const key = storeKeys(prefix).hostLock(hostId);
  const ttlMs = options.ttlMs ?? DEFAULT_HOST_LOCK_TTL_MS;
  const token = hostLockToken(options.owner);
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return undefined;
  return holdHostLock(redis, prefix, hostId, token, options);
}

/** A lock value: who holds it (`runId worker-name`) and a random part that makes each taking unique. */
export function hostLockToken(owner: string): string {
  return `${owner} ${randomUUID()}`;
}

/**
 * Renews and, on `release`, frees a host lock that was just taken with `token` (`SET NX PX`), by
 * `acquireHostLock` or inside a script that takes it together with other changes (store `beginHostRun`).
 */
export function holdHostLock(redis: Redis, prefix: string, hostId: string, token: string, options: Omit<HostLockOptions, 'owner'>): HostLock {
  const key = storeKeys(prefix).hostLock(hostId);
  const ttlMs = options.ttlMs ?? DEFAULT_HOST_LOCK_TTL_MS;
  let lost = false;
  let released = false;
  let markLost: () => void = () => undefined;
  const lostPromise = new Promise<void>((resolve) => (markLost = resolve));
  const timer = setInterval(() => {
    runScript(redis, EXTEND, [key], [token, String(ttlMs)]).then(
      (result) => {
        if (result !== 1 && !released) {
          lost = true;
          clearInterval(timer);
          markLost();
        }
      },
      (error: unknown) => options.onRenewError?.(error),
    );
  }, Math.max(250, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    hostId,
    token,
    lost: lostPromise,
    get isLost() {
      return lost;
    },
    stopRenewing() {
      clearInterval(timer);
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await releaseLockKey(redis, key, token);
    },
  };
}

/** Frees a host's lock if `token` still holds it (compare-and-delete); for a step that may have taken it and failed. */
export async function releaseHostLock(redis: Redis, prefix: string, hostId: string, token: string): Promise<void> {
  await releaseLockKey(redis, storeKeys(prefix).hostLock(hostId), token);
}

/** Who holds a host's lock now (for diagnostics and tests), or null. */
export async function hostLockHolder(redis: Redis, prefix: string, hostId: string): Promise<string | null> {
  return await redis.get(storeKeys(prefix).hostLock(hostId));
}
