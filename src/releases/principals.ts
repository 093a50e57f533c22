import type { Redis } from 'ioredis';
import type { Principal } from '../domain/approvals/index.js';
import { AppError } from '../errors.js';
import { getUser, verifyToken } from '../store/index.js';

/**
 * Turns a name or a token into the person acting, with their roles and customer scope. `local-admin` is the
 * implicit administrator of a local installation (whoever can run the CLI against this Redis): it manages users
 * and tokens and may act as an engineer, but it is not an approver, so a release always needs a named person.
 */
export const LOCAL_ADMIN = 'local-admin';
const LOCAL_ADMIN_PRINCIPAL: Principal = { name: LOCAL_ADMIN, roles: ['admin', 'engineer'], customers: ['*'] };

export async function principalByName(redis: Redis, prefix: string, name: string): Promise<Principal> {
  if (name === LOCAL_ADMIN) return LOCAL_ADMIN_PRINCIPAL;
  const user = await getUser(redis, prefix, name);
  if (user === undefined) throw new AppError('forbidden', `user ${JSON.stringify(name)} does not exist; an admin adds people with \`redback users add NAME --role ROLE --customer ID\``);
  return { name: user.name, roles: user.roles, customers: user.customers };
}

/** The person behind an API token; refuses an unknown, revoked or mismatched token, or one whose user was removed. */
export async function principalByToken(redis: Redis, prefix: string, token: string): Promise<Principal & { tokenId: string }> {
  const check = await verifyToken(redis, prefix, token);
  if (!check.ok) throw new AppError('forbidden', `the token was refused: ${check.reason}; create a new one with \`redback tokens create\``);
  const user = await getUser(redis, prefix, check.record.user);
  if (user === undefined) throw new AppError('forbidden', `token ${check.record.id} belongs to ${check.record.user}, who no longer exists`);
  return { name: user.name, roles: user.roles, customers: user.customers, tokenId: check.record.id };
}
