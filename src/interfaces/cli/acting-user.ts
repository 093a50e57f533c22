import type { Principal } from '../../domain/approvals/index.js';
import { AppError } from '../../errors.js';
import { createLogger, ShutdownCoordinator } from '../../platform/index.js';
import { LOCAL_ADMIN, principalByName, principalByToken, type OrchestrationContext } from '../../releases/index.js';
import { loadConfigForCli } from './load-config.js';
import { createOrchestrationContext } from './orchestration-runtime.js';

/**
 * Who the CLI acts as: `--as USER`, else `$REDBACK_USER`, else the user of the API token in `$REDBACK_TOKEN`,
 * else the implicit local administrator `local-admin`. A named user must exist (`redback users add`).
 */
export interface ActingSession {
  context: OrchestrationContext;
  principal: Principal;
  /** How the principal was established, for the audit entry of a write made with a token. */
  via: 'option' | 'env' | 'token' | 'local-admin';
  tokenId: string | null;
}

export interface ActingOptions {
  config?: string;
  as?: string;
}

export const AS_OPTION_HELP = 'act as this user (default: $REDBACK_USER, else the user of $REDBACK_TOKEN, else local-admin)';

export async function withActingUser<T>(options: ActingOptions, body: (session: ActingSession) => Promise<T>): Promise<T> {
  const logger = createLogger({ level: 'warn' });
  const shutdown = new ShutdownCoordinator(logger);
  try {
    const config = await loadConfigForCli(options.config);
    const base = await createOrchestrationContext({ config, logger, actor: 'cli', shutdown });
    const session = await resolve(base, options);
    return await body(session);
  } finally {
    await shutdown.shutdown();
  }
}

async function resolve(base: OrchestrationContext, options: ActingOptions): Promise<ActingSession> {
  const named = options.as ?? nonEmpty(process.env.REDBACK_USER);
  if (named !== undefined) {
    const principal = await principalByName(base.redis, base.prefix, named);
    return { context: { ...base, actor: principal.name }, principal, via: options.as === undefined ? 'env' : 'option', tokenId: null };
  }
  const token = nonEmpty(process.env.REDBACK_TOKEN);
  if (token !== undefined) {
    const principal = await principalByToken(base.redis, base.prefix, token);
    return { context: { ...base, actor: principal.name }, principal: { name: principal.name, roles: principal.roles, customers: principal.customers }, via: 'token', tokenId: principal.tokenId };
  }
  const principal = await principalByName(base.redis, base.prefix, LOCAL_ADMIN);
  return { context: { ...base, actor: principal.name }, principal, via: 'local-admin', tokenId: null };
}

/** Records that a token was used for a write (the "token use for a write"), before the write itself. */
export async function auditTokenWrite(session: ActingSession, command: string, customerId?: string): Promise<void> {
  if (session.tokenId === null) return;
  await session.context.audit.record({ actor: session.principal.name, action: 'token.used', subject: `token/${session.tokenId}`, customerId, before: null, after: { command }, at: session.context.clock.now() });
}

export function requireRole(session: ActingSession, roles: readonly Principal['roles'][number][], what: string): void {
  if (!roles.some((r) => session.principal.roles.includes(r))) {
    throw new AppError('forbidden', `${session.principal.name} may not ${what}: it needs the ${roles.join(' or ')} role and they have ${session.principal.roles.join(', ') || 'none'}`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
