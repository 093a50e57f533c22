import type { Command } from 'commander';
import { AppError } from '../../../errors.js';
import { listUsers, parseRoles, removeUser, saveUser } from '../../../store/index.js';
import { AS_OPTION_HELP, auditTokenWrite, print, requireRole, withActingUser } from '../acting-user.js';

const collect = (value: string, previous: string[]): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('People who act in redback: roles (viewer, engineer, approver, admin) and customer scopes');

  users
    .command('add <name>')
    .description('Add a user, or replace the roles and scope of an existing one (admin only)')
    .requiredOption('--role <role>', 'viewer, engineer, approver or admin; repeat or separate with commas', collect, [])
    .requiredOption('--customer <id>', 'a customer id the user may act for, or * for all; repeat or separate with commas', collect, [])
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (name: string, options: { role: string[]; customer: string[]; config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        requireRole(session, ['admin'], 'manage users');
        const roles = parseRoles(options.role);
        if (roles.length === 0) throw new AppError('input-invalid', 'expected at least one --role (viewer, engineer, approver, admin)');
        const known = new Set(session.context.config.customers.map((c) => c.id));
        const unknown = options.customer.filter((c) => c !== '*' && !known.has(c));
        if (unknown.length > 0) throw new AppError('input-invalid', `unknown customer ${unknown.join(', ')}: expected * or one of ${[...known].join(', ') || '(none configured)'}`);
        await auditTokenWrite(session, 'users add');
        const now = session.context.clock.now();
        const record = { name, roles, customers: [...new Set(options.customer)], createdAt: now.toISOString(), createdBy: session.principal.name };
        const previous = await saveUser(session.context.redis, session.context.prefix, record);
        await session.context.audit.record({ actor: session.principal.name, action: previous === null ? 'user.added' : 'user.changed', subject: `user/${name}`, before: previous === null ? null : { roles: previous.roles, customers: previous.customers }, after: { roles, customers: record.customers }, at: now });
        print(`${previous === null ? 'Added' : 'Updated'} user ${name}: roles ${roles.join(', ')}; customers ${record.customers.join(', ')}.`);
      });
    });

  users
    .command('list')
    .description('Every user with roles and customer scope')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'machine-readable output')
    .action(async (options: { config?: string; as?: string; json?: boolean }) => {
      await withActingUser(options, async (session) => {
        const all = await listUsers(session.context.redis, session.context.prefix);
        if (options.json === true) return print(JSON.stringify(all, null, 2));
        if (all.length === 0) return print('No users yet; add one with `redback users add NAME --role ROLE --customer ID`.');
        print(`${'USER'.padEnd(20)} ${'ROLES'.padEnd(32)} CUSTOMERS`);
        for (const u of all) print(`${u.name.padEnd(20)} ${u.roles.join(',').padEnd(32)} ${u.customers.join(',')}`);
      });
    });

  users
    .command('remove <name>')
    .description('Remove a user (admin only); their tokens stop working')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (name: string, options: { config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        requireRole(session, ['admin'], 'manage users');
        await auditTokenWrite(session, 'users remove');
        const removed = await removeUser(session.context.redis, session.context.prefix, name);
        if (removed === undefined) throw new AppError('not-found', `no user ${JSON.stringify(name)}; list them with \`redback users list\``);
        await session.context.audit.record({ actor: session.principal.name, action: 'user.removed', subject: `user/${name}`, before: { roles: removed.roles, customers: removed.customers }, after: null, at: session.context.clock.now() });
        print(`Removed user ${name}.`);
      });
    });
}
