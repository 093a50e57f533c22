/**
 * Child process of audit-batch.test.ts: appends `groups` groups of `size` entries each with `appendAuditBatch`
 * (and, every third group, one entry with the WATCH-based `appendAudit`), then prints how many it wrote.
 * Usage: node --import tsx audit-batch-writer.ts <redisUrl> <prefix> <writer> <groups> <size>
 */
import { Redis } from 'ioredis';
import { appendAudit, appendAuditBatch } from '../../../src/store/audit.js';

const [url, prefix, writer, groupsText, sizeText] = process.argv.slice(2);
const groups = Number(groupsText);
const size = Number(sizeText);
const redis = new Redis(url!);
let written = 0;
for (let g = 0; g < groups; g++) {
  const inputs = Array.from({ length: size }, (_, i) => ({ actor: writer!, action: 'test.batched', subject: `item/${writer}-${g}-${i}`, after: { g, i } }));
  await appendAuditBatch(redis, prefix!, inputs);
  written += size;
  if (g % 3 === 0) {
    await appendAudit(redis, prefix!, { actor: writer!, action: 'test.single', subject: `item/${writer}-${g}-single` });
    written += 1;
  }
}
await redis.quit();
process.stdout.write(`${written}\n`);
