import { contentHash } from '../domain/approvals/index.js';
import { getBatch, lastHostUpdateScans, listDecisions, saveBatchContent, setBatchStatus, storeKeys, type BatchRecord, type StoredBatchContent } from '../store/index.js';
import { planBatchContent } from './batch-content.js';
import { emit, type OrchestrationContext } from './context.js';
import { batchEvent } from './planner.js';

/** Statuses in which a batch's content can still change: it has not started. */
const OPEN_FOR_CONTENT = ['planned', 'awaiting-approval', 'approved'] as const;

export interface ContentRefresh {
  hash: string;
  previousHash: string | null;
  changed: boolean;
  /** People whose approval no longer counts because the content changed. */
  voided: string[];
  stored: StoredBatchContent;
}

/**
 * Recomputes a batch's content from the hosts' last scans and stores it with its hash. When the hash differs from
 * the stored one, every approval given so far is void: an approved batch goes back to `awaiting-approval`, and the
 * change and the voiding are written to the audit trail. A batch that has started keeps the content it started with.
 */
export async function refreshBatchContent(context: OrchestrationContext, batch: BatchRecord): Promise<ContentRefresh | undefined> {
  if (!(OPEN_FOR_CONTENT as readonly string[]).includes(batch.status)) return undefined;
  const now = context.clock.now();
  const scans = await lastHostUpdateScans(context.redis, context.prefix, batch.hostIds);
  const { content, hosts } = planBatchContent(context.config, batch, scans, now);
  const hash = contentHash(content);
  const stored: StoredBatchContent = { hash, content, hosts, computedAt: now.toISOString(), computedBy: context.actor };
  const previous = await saveBatchContent(context.redis, context.prefix, batch.id, stored);
  const subject = `batch/${batch.id}`;
  const summary = { hash, hosts: hosts.length, packages: content.hosts.reduce((n, h) => n + h.packages.length, 0), unscanned: hosts.filter((h) => !h.scanned).map((h) => h.hostId) };
  if (previous === undefined) {
    await context.audit.record({ actor: context.actor, action: 'batch.content-computed', subject, customerId: batch.customerId, before: null, after: summary, at: now });
    return { hash, previousHash: null, changed: false, voided: [], stored };
  }
  if (previous.hash === hash) return { hash, previousHash: previous.hash, changed: false, voided: [], stored };

  await context.audit.record({ actor: context.actor, action: 'batch.content-changed', subject, customerId: batch.customerId, before: { hash: previous.hash }, after: summary, reason: describeChange(previous, stored), at: now });
  const decisions = await listDecisions(context.redis, context.prefix, batch.id);
  const voided = [...new Set(decisions.filter((d) => d.verdict === 'approved' && d.contentHash === previous.hash).map((d) => d.approver))];
  if (batch.approval !== 'required') return { hash, previousHash: previous.hash, changed: true, voided: [], stored };

  const reason = `the content changed (${previous.hash.slice(0, 12)} -> ${hash.slice(0, 12)}); approvals given for the old content are void`;
  const moved = await setBatchStatus(context.redis, context.prefix, batch.id, ['approved'], 'awaiting-approval', now, { statusReason: reason });
  if (moved !== undefined) await context.redis.hdel(storeKeys(context.prefix).batch(batch.id), 'approvedBy');
  const status = moved === undefined ? (await getBatch(context.redis, context.prefix, batch.id))?.status ?? batch.status : 'awaiting-approval';
  if (voided.length > 0 || moved !== undefined) {
    await context.audit.record({
      actor: context.actor,
      action: 'approval.voided',
      subject,
      customerId: batch.customerId,
      before: { status: moved ?? status, contentHash: previous.hash, approvers: voided },
      after: { status, contentHash: hash, approvers: [] },
      reason,
      at: now,
    });
    if (moved !== undefined) await emit(context, { ...batchEvent(batch, 'batch.awaiting-approval'), reason });
  }
  return { hash, previousHash: previous.hash, changed: true, voided, stored };
}

/** Which hosts' planned packages differ, in words, for the audit entry. */
function describeChange(before: StoredBatchContent, after: StoredBatchContent): string {
  const key = (h: StoredBatchContent['content']['hosts'][number]) => JSON.stringify(h.packages.map((p) => [p.name, p.arch, p.to]));
  const old = new Map(before.content.hosts.map((h) => [h.hostId, key(h)]));
  const now = new Map(after.content.hosts.map((h) => [h.hostId, key(h)]));
  const changedHosts = [...now.keys()].filter((id) => old.get(id) !== now.get(id));
  const gone = [...old.keys()].filter((id) => !now.has(id));
  const parts: string[] = [];
  if (changedHosts.length > 0) parts.push(`planned packages changed on ${changedHosts.join(', ')}`);
  if (gone.length > 0) parts.push(`hosts removed: ${gone.join(', ')}`);
  if (JSON.stringify(before.content.playbooks) !== JSON.stringify(after.content.playbooks) || JSON.stringify(before.content.params) !== JSON.stringify(after.content.params)) parts.push('playbooks or parameters changed');
  return parts.length === 0 ? 'content changed' : parts.join('; ');
}
