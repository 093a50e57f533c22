import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { auditKeys, listTokens, verifyToken } from '../../../src/store/index.js';
import { runCli } from '../../support/run-cli.js';
import { releaseFixture, type ReleaseFixture } from './release-fixture.js';

const fixtures: ReleaseFixture[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

describe('redback users, tokens and audit export (the real CLI over real Redis)', () => {
  it('adds a user as local-admin, creates a token shown once and stored hashed, acts with it, and revokes it', async () => {
    const fixture = await releaseFixture(inject('redisUrl'), 'cli-users');
    fixtures.push(fixture);
    const { redis, prefix } = fixture.context;
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--config', fixture.configDir], { env: { REDIS_URL: fixture.redisUrl, REDBACK_USER: '', REDBACK_TOKEN: '', ...env } });

    const added = await cli(['users', 'add', 'grace', '--role', 'engineer,approver', '--customer', 'acme']);
    expect(added.stdout).toBe('Added user grace: roles engineer, approver; customers acme.\n');
    expect((await cli(['users', 'add', 'heidi', '--role', 'viewer', '--customer', 'acme'], { REDBACK_USER: 'grace' })).stderr).toMatch(/grace may not manage users: it needs the admin role/);
    expect((await cli(['users', 'add', 'heidi', '--role', 'root', '--customer', 'acme'])).stderr).toMatch(/unknown role "root": expected viewer, engineer, approver or admin/);

    const created = await cli(['tokens', 'create', '--user', 'grace', '--label', 'ci']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const [, secret] = /^rbk_[0-9a-f]{16}_([A-Za-z0-9_-]{43})$/.exec(token) ?? [];
    expect(secret, `token ${JSON.stringify(token)} has the form rbk_<16 hex>_<43 base64url>`).toBeDefined();
    expect(created.stderr).toMatch(/It is shown only now/);
    const [record] = await listTokens(redis, prefix, 'grace');
    const stored = await redis.get(`${prefix}:token:${record!.id}`);
    // The secret is base64url, so it may itself contain "_": take it whole from the match, never by splitting.
    expect(stored).not.toContain(secret);
    expect(JSON.parse(stored!)).toMatchObject({ hash: { N: 16384, r: 8, p: 1 } });
    expect((await cli(['tokens', 'list'])).stdout).not.toContain(token);

    // Acting with the token: a write records the token's use before the write itself.
    const own = await cli(['tokens', 'create', '--label', 'laptop'], { REDBACK_TOKEN: token });
    expect(own.code).toBe(0);
    const trail = (await redis.xrange(auditKeys(prefix).stream, '-', '+')).map(([, f]) => JSON.parse(f[1]!) as { actor: string; action: string; subject: string });
    expect(trail.slice(-2).map((e) => `${e.actor} ${e.action} ${e.subject.split('/')[0]}`)).toEqual(['grace token.used token', 'grace token.created token']);

    const revoked = await cli(['tokens', 'revoke', record!.id], { REDBACK_USER: 'grace' });
    expect(revoked.stdout).toBe(`Token ${record!.id} of grace revoked.\n`);
    expect(await verifyToken(redis, prefix, token)).toMatchObject({ ok: false, reason: expect.stringMatching(/was revoked at/) });
    const refused = await cli(['users', 'list'], { REDBACK_TOKEN: token });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the token was refused: token [0-9a-f]+ was revoked/);
    expect((await cli(['users', 'list'], { REDBACK_USER: 'nobody' })).stderr).toMatch(/user "nobody" does not exist/);

    expect((await cli(['users', 'remove', 'grace'])).stdout).toBe('Removed user grace.\n');
    expect((await cli(['users', 'list'])).stdout).not.toMatch(/^grace /m);
  }, 180_000);

  it('exports CSV to a file for one customer, refuses an export outside the user\'s scope, and says when Redis is missing', async () => {
    const fixture = await releaseFixture(inject('redisUrl'), 'cli-export');
    fixtures.push(fixture);
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--config', fixture.configDir], { env: { REDIS_URL: fixture.redisUrl, REDBACK_USER: '', REDBACK_TOKEN: '', ...env } });
    await cli(['users', 'add', 'ivan', '--role', 'viewer', '--customer', 'acme']);
    await fixture.context.audit.record({ actor: 'bob', action: 'approval.given', subject: 'batch/x', customerId: 'acme', before: { approvers: [] }, after: { approvers: ['bob'] }, reason: 'looks fine, "tested" on staging' });
    await fixture.context.audit.record({ actor: 'bob', action: 'approval.given', subject: 'batch/y', customerId: 'globex' });
    await fixture.context.audit.flush();

    const output = join(await mkdtemp(join(tmpdir(), 'redback-export-')), 'acme.csv');
    const exported = await cli(['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--customer', 'acme', '--format', 'csv', '--output', output], { REDBACK_USER: 'ivan' });
    expect(exported.stderr).toBe(`Wrote 1 entries to ${output}.\n`);
    const lines = (await readFile(output, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('id,at,actor,action,subject,customerId,before,after,reason,prevHash,hash');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,bob,approval\.given,batch\/x,acme,"{""approvers"":\[\]}","{""approvers"":\[""bob""\]}","looks fine, ""tested"" on staging",[0-9a-f]{64},[0-9a-f]{64}$/);
    expect((await cli(['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--customer', 'acme', '--format', 'csv', '--output', output], { REDBACK_USER: 'ivan' })).stderr).toMatch(/exists already/);
    expect((await cli(['audit', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--customer', 'globex'], { REDBACK_USER: 'ivan' })).stderr).toMatch(/ivan may not export customer globex's entries: their scope is acme/);
    expect((await cli(['audit', 'export', '--from', 'yesterday', '--to', '2100-01-01T00:00:00Z'])).stderr).toMatch(/--from expects an ISO 8601 instant/);

    await writeFile(join(fixture.configDir, 'redback.yaml'), 'redis:\n  prefix: nowhere\n');
    const noRedis = await runCli(['audit', 'verify', '--config', fixture.configDir], { env: { REDIS_URL: '' } });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toMatch(/no Redis configured: set redis.url in redback.yaml or REDIS_URL/);
  }, 180_000);
});
