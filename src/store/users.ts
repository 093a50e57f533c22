import type { Redis } from 'ioredis';
import { isRole, type Role } from '../domain/approvals/index.js';
import { AppError } from '../errors.js';

/**
 * People who act in redback: their roles and the customers they may act for (`*` = all). The CLI's implicit
 * `local-admin` is not stored here; it is what acts when no user is named.
 */
export interface UserRecord {
  name: string;
  roles: Role[];
  customers: string[];
  createdAt: string;
  createdBy: string;
}

export const USER_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Names the system uses for itself; no stored user may take them. */
export const RESERVED_USER_NAMES = ['local-admin'];

function userKeys(prefix: string) {
  return { user: (name: string) => `${prefix}:user:${name}`, all: `${prefix}:users` };
}

export function checkUserName(name: string): void {
  if (!USER_NAME_PATTERN.test(name)) {
    throw new AppError('input-invalid', `user name ${JSON.stringify(name)} is not valid: expected lower-case letters, digits, ".", "_" or "-" (at most 63, starting with a letter or digit)`);
  }
  if (RESERVED_USER_NAMES.includes(name)) throw new AppError('input-invalid', `user name ${JSON.stringify(name)} is reserved for the CLI's implicit administrator; choose another name`);
}

export function parseRoles(values: readonly string[]): Role[] {
  const wrong = values.filter((v) => !isRole(v));
  if (wrong.length > 0) throw new AppError('input-invalid', `unknown role ${wrong.map((w) => JSON.stringify(w)).join(', ')}: expected viewer, engineer, approver or admin`);
  return [...new Set(values as Role[])];
}

/** Creates or replaces a user; returns the record it replaced, if any (for the audit trail's before). */
export async function saveUser(redis: Redis, prefix: string, user: UserRecord): Promise<UserRecord | null> {
  checkUserName(user.name);
  const keys = userKeys(prefix);
  const reply = await redis.multi().get(keys.user(user.name)).set(keys.user(user.name), JSON.stringify(user)).sadd(keys.all, user.name).exec();
  const previous = reply?.[0]?.[1];
  return typeof previous === 'string' ? (JSON.parse(previous) as UserRecord) : null;
}

export async function getUser(redis: Redis, prefix: string, name: string): Promise<UserRecord | undefined> {
  const raw = await redis.get(userKeys(prefix).user(name));
  return raw === null ? undefined : (JSON.parse(raw) as UserRecord);
}

export async function listUsers(redis: Redis, prefix: string): Promise<UserRecord[]> {
  const names = (await redis.smembers(userKeys(prefix).all)).sort();
  const users: UserRecord[] = [];
  for (const name of names) {
    const user = await getUser(redis, prefix, name);
    if (user !== undefined) users.push(user);
  }
  return users;
}

/** Removes a user; returns the removed record, or undefined if there was none. Their tokens stop working with them. */
export async function removeUser(redis: Redis, prefix: string, name: string): Promise<UserRecord | undefined> {
  const keys = userKeys(prefix);
  const reply = await redis.multi().get(keys.user(name)).del(keys.user(name)).srem(keys.all, name).exec();
  const previous = reply?.[0]?.[1];
  return typeof previous === 'string' ? (JSON.parse(previous) as UserRecord) : undefined;
}
