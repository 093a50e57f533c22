import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../../src/platform/logger.js';
import { createAuditWriter } from '../../../src/releases/index.js';
import { auditKeys, readAudit, verifyAuditChain } from '../../../src/store/index.js';

describe('audit writer: group commit (real Redis)', () => {
  const redis = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await redis.quit();
  });

  it('writes entries recorded at once in the order recorded, each awaited call resolving once its entry is chained', async () => {
    const prefix = `test-audit-writer-${randomUUID()}`;
    const writer = createAuditWriter(redis, prefix, silentLogger());
    const subjects = Array.from({ length: 300 }, (_, i) => `run/b/h${i}`);
    const seenAfterResolve: number[] = [];
    await Promise.all(
      subjects.map(async (subject, i) => {
        await writer.record({ actor: 'system:worker', action: 'run.started', subject, customerId: 'acme' });
        if (i === 0) seenAfterResolve.push((await readAudit(redis, prefix)).filter((e) => e.subject === subject).length);
      }),
    );
    expect(seenAfterResolve).toEqual([1]);
    const entries = await readAudit(redis, prefix);
    expect(entries.map((e) => e.subject)).toEqual(subjects);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 300 });
    // Recorded after a drain ended: still written (a new drain starts).
    await writer.record({ actor: 'alice', action: 'batch.cancelled', subject: 'batch/b' });
    await writer.flush();
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 301 });
  });

  it('rejects only the entry that cannot be written; the others of its group are chained', async () => {
    const prefix = `test-audit-writer-${randomUUID()}`;
    const writer = createAuditWriter(redis, prefix, silentLogger());
    const results = await Promise.allSettled([
      writer.record({ actor: 'a', action: 'x', subject: 's/1' }),
      writer.record({ actor: 'a', action: 'x', subject: 's/2' }),
      writer.record({ actor: 'a', action: 'x', subject: 's/bad', after: { size: 1n } }), // BigInt: not JSON
      writer.record({ actor: 'a', action: 'x', subject: 's/3' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await readAudit(redis, prefix)).map((e) => e.subject)).toEqual(['s/1', 's/2', 's/3']);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 3 });
  });

  it('an entry that reached the inbox is recorded once, even when chaining it fails, and is chained once the way is clear', async () => {
    const prefix = `test-audit-writer-${randomUUID()}`;
    const { inbox } = auditKeys(prefix);
    // Something else wrote to the inbox: sealing stops at it until an operator removes it.
    const bad = await redis.xadd(inbox, '*', 'entry', 'not json');
    const writer = createAuditWriter(redis, prefix, silentLogger());
    const outcomes = await Promise.allSettled(['x.zero', 'x.one', 'x.two'].map((action) => writer.record({ actor: 'a', action, subject: 's/1' })));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await redis.xlen(inbox)).toBe(4);
    await redis.xdel(inbox, bad!);
    expect((await readAudit(redis, prefix)).map((e) => e.action)).toEqual(['x.zero', 'x.one', 'x.two']);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 3 });
  });
});
