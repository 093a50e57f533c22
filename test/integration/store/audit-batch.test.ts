import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appendAudit, appendAuditBatch, auditKeys, GENESIS_HASH, readAudit, verifyAuditChain } from '../../../src/store/audit.js';

const WRITER = fileURLToPath(new URL('./audit-batch-writer.ts', import.meta.url));

/** Runs the writer script in its own Node process; resolves with the number of entries it appended. */
function writerProcess(url: string, prefix: string, name: string, groups: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, url, prefix, name, String(groups), String(size)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer ${name} exited ${code}: ${err}`))));
  });
}

describe('batched audit append (real Redis)', () => {
  const url = inject('redisUrl');
  const redis = new Redis(url);
  afterAll(async () => {
    await redis.quit();
  });
  const freshPrefix = () => `test-audit-batch-${randomUUID()}`;

  it('chains the entries of a batch to each other and to the head, in order', async () => {
    const prefix = freshPrefix();
    const single = await appendAudit(redis, prefix, { actor: 'alice', action: 'batch.approved', subject: 'batch/b1', customerId: 'acme' });
    const batch = await appendAuditBatch(redis, prefix, [
      { actor: 'system:worker', action: 'run.started', subject: 'run/b1/h1', customerId: 'acme', after: { status: 'running' } },
      { actor: 'system:worker', action: 'run.succeeded', subject: 'run/b1/h1', customerId: 'acme', before: { status: 'running' }, after: { status: 'succeeded' } },
      { actor: 'system:worker', action: 'run.started', subject: 'run/b1/h2', customerId: 'acme', reason: 'second host' },
    ]);
    expect(batch.map((e) => e.action)).toEqual(['run.started', 'run.succeeded', 'run.started']);
    expect(batch[0]!.prevHash).toBe(single.hash);
    expect(batch[1]!.prevHash).toBe(batch[0]!.hash);
    expect(batch[2]!.prevHash).toBe(batch[1]!.hash);
    expect(await redis.get(auditKeys(prefix).head)).toBe(batch[2]!.hash);
    const stored = await readAudit(redis, prefix);
    expect(stored.map((e) => e.id)).toEqual([single.id, ...batch.map((e) => e.id)]);
    expect(stored[3]).toEqual(batch[2]);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 4 });
    // And a WATCH-based append after a batch chains onto the batch's last entry.
    const after = await appendAudit(redis, prefix, { actor: 'bob', action: 'batch.cancelled', subject: 'batch/b1' });
    expect(after.prevHash).toBe(batch[2]!.hash);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 5 });
  });

  it('starts a new chain from the genesis hash, and an empty batch writes nothing', async () => {
    const prefix = freshPrefix();
    expect(await appendAuditBatch(redis, prefix, [])).toEqual([]);
    expect(await redis.exists(auditKeys(prefix).stream, auditKeys(prefix).head)).toBe(0);
    const [first] = await appendAuditBatch(redis, prefix, [{ actor: 'a', action: 'x', subject: 's/1' }]);
    expect(first!.prevHash).toBe(GENESIS_HASH);
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 1 });
  });

  it('chains onto the real head when another client moved it since this client last wrote', async () => {
    const prefix = freshPrefix();
    const other = new Redis(url);
    try {
      await appendAuditBatch(redis, prefix, [{ actor: 'a', action: 'x', subject: 's/1' }]);
      const moved = await appendAuditBatch(other, prefix, [{ actor: 'b', action: 'x', subject: 's/2' }]);
      // `redis` still remembers the head it wrote; the script finds another and the entries are chained onto it.
      const [next] = await appendAuditBatch(redis, prefix, [{ actor: 'a', action: 'x', subject: 's/3' }]);
      expect(next!.prevHash).toBe(moved[0]!.hash);
      expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: 3 });
    } finally {
      await other.quit();
    }
  });

  it('keeps one valid chain under concurrent batched and single writers in two processes and this one', async () => {
    const prefix = freshPrefix();
    const [first, second, local] = await Promise.all([
      writerProcess(url, prefix, 'p1', 30, 7),
      writerProcess(url, prefix, 'p2', 30, 5),
      (async () => {
        let written = 0;
        for (let g = 0; g < 30; g++) {
          await Promise.all([
            appendAuditBatch(redis, prefix, Array.from({ length: 3 }, (_, i) => ({ actor: 'local', action: 'test.batched', subject: `item/local-${g}-${i}` }))),
            appendAudit(redis, prefix, { actor: 'local', action: 'test.single', subject: `item/local-${g}-single` }),
          ]);
          written += 4;
        }
        return written;
      })(),
    ]);
    expect(first).toBe(30 * 7 + 10);
    expect(second).toBe(30 * 5 + 10);
    const total = first + second + local;
    expect(await verifyAuditChain(redis, prefix)).toEqual({ ok: true, checked: total });
    // Every entry is there once, and each writer's batch entries are consecutive in the order given.
    const entries = await readAudit(redis, prefix);
    expect(new Set(entries.map((e) => e.subject)).size).toBe(total);
    for (const name of ['p1', 'p2']) {
      const positions = new Map(entries.map((e, index) => [e.subject, index]));
      for (let g = 0; g < 30; g++) {
        const at = positions.get(`item/${name}-${g}-0`)!;
        const size = name === 'p1' ? 7 : 5;
        for (let i = 1; i < size; i++) expect(positions.get(`item/${name}-${g}-${i}`)).toBe(at + i);
      }
    }
  });
});
