import type { Command } from 'commander';
import { AppError } from '../../../errors.js';
import { createToken, getTokenRecord, getUser, listTokens, revokeToken } from '../../../store/index.js';
import { AS_OPTION_HELP, auditTokenWrite, print, withActingUser } from '../acting-user.js';

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('API tokens: stored hashed (scrypt), shown once at creation, revocable');

  tokens
    .command('create')
    .description('Create a token for yourself, or for --user (admin only); the token is printed once and cannot be shown again')
    .option('--user <name>', 'whose token (default: the acting user)')
    .option('--label <text>', 'what it is for, e.g. "ci pipeline"', '')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (options: { user?: string; label: string; config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        const owner = options.user ?? session.principal.name;
        if (owner !== session.principal.name && !session.principal.roles.includes('admin')) {
          throw new AppError('forbidden', `${session.principal.name} may create tokens only for themself; creating one for ${owner} needs the admin role`);
        }
        if ((await getUser(session.context.redis, session.context.prefix, owner)) === undefined) {
          throw new AppError('not-found', `no user ${JSON.stringify(owner)} to create a token for; add them first with \`redback users add\` (local-admin has no tokens)`);
        }
        await auditTokenWrite(session, 'tokens create');
        const now = session.context.clock.now();
        const { token, record } = await createToken(session.context.redis, session.context.prefix, { user: owner, label: options.label, createdBy: session.principal.name, now });
        await session.context.audit.record({ actor: session.principal.name, action: 'token.created', subject: `token/${record.id}`, before: null, after: { user: owner, label: record.label }, at: now });
        print(token);
        process.stderr.write(`Token ${record.id} for ${owner} created. It is shown only now: store it, e.g. as REDBACK_TOKEN; revoke it with \`redback tokens revoke ${record.id}\`.\n`);
      });
    });

  tokens
    .command('list')
    .description('Tokens (never their secrets): yours, or everyone\'s for an admin')
    .option('--user <name>', 'only this user\'s tokens')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: { user?: string; config?: string; as?: string; json?: boolean }) => {
      await withActingUser(options, async (session) => {
        const isAdmin = session.principal.roles.includes('admin');
        const user = isAdmin ? options.user : session.principal.name;
        const found = await listTokens(session.context.redis, session.context.prefix, user);
        if (options.json === true) return print(JSON.stringify(found, null, 2));
        if (found.length === 0) return print('No tokens.');
        print(`${'ID'.padEnd(18)} ${'USER'.padEnd(16)} ${'CREATED'.padEnd(26)} ${'REVOKED'.padEnd(26)} LABEL`);
        for (const t of found) print(`${t.id.padEnd(18)} ${t.user.padEnd(16)} ${t.createdAt.padEnd(26)} ${(t.revokedAt ?? '-').padEnd(26)} ${t.label}`);
      });
    });

  tokens
    .command('revoke <id>')
    .description('Revoke a token: yours, or anyone\'s for an admin')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (id: string, options: { config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        const record = await getTokenRecord(session.context.redis, session.context.prefix, id);
        if (record === undefined) throw new AppError('not-found', `no token with id ${JSON.stringify(id)}; list them with \`redback tokens list\``);
        if (record.user !== session.principal.name && !session.principal.roles.includes('admin')) {
          throw new AppError('forbidden', `${session.principal.name} may revoke only their own tokens; token ${id} belongs to ${record.user}`);
        }
        await auditTokenWrite(session, 'tokens revoke');
        const now = session.context.clock.now();
        await revokeToken(session.context.redis, session.context.prefix, id, session.principal.name, now);
        await session.context.audit.record({ actor: session.principal.name, action: 'token.revoked', subject: `token/${id}`, before: { user: record.user, revokedAt: null }, after: { user: record.user, revokedAt: now.toISOString() }, at: now });
        print(`Token ${id} of ${record.user} revoked.`);
      });
    });
}
