import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appendToAuditInbox, auditKeys, readAudit, sealAudit, sealAuditInBackground, verifyAuditChain } from '../../../src/store/audit.js';

describe('audit inbox and sealing (real Redis)', () => {
  const url = inject('redisUrl');
  const redis = new Redis(url);
  const other = new Redis(url);
  afterAll(async () => {
    await redis.quit();
    await other.quit();
  });
  const freshPrefix = () => `test-audit-inbox-${randomUUID()}`;

  it('keeps entries in the inbox until a seal chains them, in inbox order and under their inbox ids', async () => {
    const prefix = freshPrefix();
    const keys = auditKeys(prefix);
    const ids = await appendToAuditInbox(redis, prefix, [
      { actor: 'system:worker', action: 'run.started', subject: 'run/b/h1', customerId: 'acme' },
      { actor: 'system:worker', action: 'run.succeeded', subject: 'run/b/h1', customerId: 'acme' },
    ]);
    expect(await redis.xlen(keys.inbox)).toBe(2);
    expect(await redis.exists(keys.stream)).toBe(0);

    expect(await sealAudit(redis, prefix)).toBe(2);
    expect(await redis.xlen(keys.inbox)).toBe(0);
    const entries = (await redis.xrange(keys.stream, '-', '+')).map(([id, fields]) => ({ id, ...(JSON.parse(fields[1]!) as { action: string; prevHash: string; hash: string }) }));
    expect(entries.map((e) => [e.id, e.action])).toEqual([[ids[0], 'run.started'], [ids[1], 'run.succeeded']]);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(await redis.get(keys.head)).toBe(entries[1]!.hash);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 2 });
  });

  it('reads seal what waits, so a reader sees every entry written before it read', async () => {
    const prefix = freshPrefix();
    await appendToAuditInbox(redis, prefix, [{ actor: 'a', action: 'x', subject: 's/1' }]);
    expect((await readAudit(redis, prefix)).map((e) => e.subject)).toEqual(['s/1']);
    expect(await redis.xlen(auditKeys(prefix).inbox)).toBe(0);
  });

  it('two sealers racing over one inbox chain every entry exactly once', async () => {
    const prefix = freshPrefix();
    const total = 1200;
    for (let i = 0; i < total; i += 100) {
      await appendToAuditInbox(redis, prefix, Array.from({ length: 100 }, (_, j) => ({ actor: 'w', action: 'test.entry', subject: `item/${i + j}` })));
    }
    const sealedByEach = await Promise.all([sealAudit(redis, prefix, { through: '+' }), sealAudit(other, prefix, { through: '+' }), sealAudit(redis, prefix, { through: '+' })]);
    expect(sealedByEach.reduce((a, b) => a + b, 0)).toBe(total);
    const entries = await readAudit(redis, prefix);
    expect(entries.map((e) => e.subject)).toEqual(Array.from({ length: total }, (_, i) => `item/${i}`));
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: total });
  });

  it('background sealing is done by one process at a time and lets go of its claim when done', async () => {
    const prefix = freshPrefix();
    const keys = auditKeys(prefix);
    await appendToAuditInbox(redis, prefix, [{ actor: 'a', action: 'x', subject: 's/1' }]);
    await redis.set(keys.sealing, 'another-process', 'PX', 5000);
    expect(await sealAuditInBackground(redis, prefix)).toBe(0);
    expect(await redis.xlen(keys.inbox)).toBe(1);
    await redis.del(keys.sealing);
    expect(await sealAuditInBackground(redis, prefix)).toBe(1);
    expect(await redis.exists(keys.sealing)).toBe(0);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 1 });
  });

  it('refuses an inbox entry that is not an entry body, naming it, and chains nothing', async () => {
    const prefix = freshPrefix();
    const bad = await redis.xadd(auditKeys(prefix).inbox, '*', 'entry', JSON.stringify({ action: 'x', subject: 's', prevHash: 'forged', hash: 'forged' }));
    await expect(sealAudit(redis, prefix)).rejects.toThrow(`audit inbox entry ${bad} is not an entry body`);
    expect(await redis.exists(auditKeys(prefix).stream)).toBe(0);
    // Reading still shows what is chained; verifying reports the stuck inbox.
    expect(await readAudit(redis, prefix)).toEqual([]);
    await expect(verifyAuditChain(redis, prefix)).rejects.toThrow('remove it with XDEL');
  });
});
