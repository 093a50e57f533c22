import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appendAudit, auditKeys, readAudit, verifyAuditChain } from '../../../src/store/audit.js';

describe('audit trail (real Redis)', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await redis.quit();
  });
  const freshPrefix = () => `test-audit-${randomUUID()}`;

  it('chains every entry to the previous one and verifies', async () => {
    const prefix = freshPrefix();
    const first = await appendAudit(redis, prefix, { actor: 'alice', action: 'batch.approved', subject: 'batch/w@20260312T210000Z', customerId: 'acme', before: { status: 'awaiting-approval' }, after: { status: 'approved' } });
    const second = await appendAudit(redis, prefix, { actor: 'system:scheduler', action: 'batch.running', subject: 'batch/w@20260312T210000Z', customerId: 'acme' });
    expect(second.prevHash).toBe(first.hash);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 2 });
  });

  it('keeps one chain when many writers append at once, from two connections', async () => {
    const prefix = freshPrefix();
    const other = new Redis(inject('redisUrl'));
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => appendAudit(i % 2 === 0 ? redis : other, prefix, { actor: `user${i}`, action: 'incident.note', subject: `incident/INC-${i}` })),
      );
      const verification = await verifyAuditChain(redis, prefix);
      expect(verification).toEqual({ ok: true, checked: 40 });
    } finally {
      await other.quit();
    }
  });

  it('detects an edited entry and names it', async () => {
    const prefix = freshPrefix();
    await appendAudit(redis, prefix, { actor: 'alice', action: 'batch.approved', subject: 'batch/b1', customerId: 'acme' });
    const target = await appendAudit(redis, prefix, { actor: 'bob', action: 'batch.rejected', subject: 'batch/b2', customerId: 'acme' });
    await appendAudit(redis, prefix, { actor: 'carol', action: 'batch.approved', subject: 'batch/b3', customerId: 'acme' });
    // Rewrite the stream with the middle entry's actor changed, keeping every id, as someone with Redis access might.
    const { stream } = auditKeys(prefix);
    const rows = await redis.xrange(stream, '-', '+');
    await redis.del(stream);
    for (const [id, fields] of rows) {
      const body = JSON.parse(fields[1]!) as Record<string, unknown>;
      await redis.xadd(stream, id, 'entry', JSON.stringify(id === target.id ? { ...body, actor: 'mallory' } : body));
    }
    const verification = await verifyAuditChain(redis, prefix);
    expect(verification.ok).toBe(false);
    expect(verification.firstBroken?.id).toBe(target.id);
    expect(verification.firstBroken?.problem).toMatch(/edited/);
  });

  it('detects a deleted entry', async () => {
    const prefix = freshPrefix();
    await appendAudit(redis, prefix, { actor: 'a', action: 'x', subject: 's/1' });
    const middle = await appendAudit(redis, prefix, { actor: 'b', action: 'x', subject: 's/2' });
    await appendAudit(redis, prefix, { actor: 'c', action: 'x', subject: 's/3' });
    await redis.xdel(auditKeys(prefix).stream, middle.id);
    const verification = await verifyAuditChain(redis, prefix);
    expect(verification.ok).toBe(false);
    expect(verification.firstBroken?.problem).toMatch(/removed or inserted/);
  });

  it('filters by customer and time range', async () => {
    const prefix = freshPrefix();
    await appendAudit(redis, prefix, { actor: 'a', action: 'x', subject: 's/1', customerId: 'acme' });
    await appendAudit(redis, prefix, { actor: 'a', action: 'x', subject: 's/2', customerId: 'globex' });
    const acme = await readAudit(redis, prefix, { customerId: 'acme' });
    expect(acme.map((e) => e.subject)).toEqual(['s/1']);
    const none = await readAudit(redis, prefix, { to: new Date('2000-01-01T00:00:00Z') });
    expect(none).toEqual([]);
  });
});
