import type { Redis } from 'ioredis';
import type { ApprovalDecision, BatchContent } from '../domain/approvals/index.js';

/**
 * Per batch: the approval decisions (append-only list), the approval request, and the batch's computed content
 * with its hash. Keys sit beside the batch's own (`<prefix>:batch:<id>:...`).
 */
export interface ApprovalRequest {
  requestedBy: string;
  requestedAt: string;
  comment: string;
  lastReminderAt: string | null;
}

/** One host's planned diff and why each available update was or was not taken. */
export interface HostPlan {
  hostId: string;
  scanned: boolean;
  scannedAt: string | null;
  baselineId: string | null;
  taken: Array<{ name: string; arch: string; from: string | null; to: string; reason: string }>;
  left: Array<{ name: string; arch: string; from: string | null; to: string; reason: string; detail: string }>;
}

export interface StoredBatchContent {
  hash: string;
  content: BatchContent;
  hosts: HostPlan[];
  computedAt: string;
  computedBy: string;
}

function approvalKeys(prefix: string) {
  return {
    decisions: (batchId: string) => `${prefix}:batch:${batchId}:approvals`,
    request: (batchId: string) => `${prefix}:batch:${batchId}:approval-request`,
    content: (batchId: string) => `${prefix}:batch:${batchId}:content`,
  };
}

export async function appendDecision(redis: Redis, prefix: string, batchId: string, decision: ApprovalDecision): Promise<void> {
  await redis.rpush(approvalKeys(prefix).decisions(batchId), JSON.stringify(decision));
}

export async function listDecisions(redis: Redis, prefix: string, batchId: string): Promise<ApprovalDecision[]> {
  return (await redis.lrange(approvalKeys(prefix).decisions(batchId), 0, -1)).map((raw) => JSON.parse(raw) as ApprovalDecision);
}

export async function saveApprovalRequest(redis: Redis, prefix: string, batchId: string, request: ApprovalRequest): Promise<void> {
  await redis.set(approvalKeys(prefix).request(batchId), JSON.stringify(request));
}

export async function getApprovalRequest(redis: Redis, prefix: string, batchId: string): Promise<ApprovalRequest | undefined> {
  const raw = await redis.get(approvalKeys(prefix).request(batchId));
  return raw === null ? undefined : (JSON.parse(raw) as ApprovalRequest);
}

/** Replaces the stored content; returns the one it replaced. */
export async function saveBatchContent(redis: Redis, prefix: string, batchId: string, content: StoredBatchContent): Promise<StoredBatchContent | undefined> {
  const previous = await redis.set(approvalKeys(prefix).content(batchId), JSON.stringify(content), 'GET');
  return previous === null ? undefined : (JSON.parse(previous) as StoredBatchContent);
}

export async function getBatchContent(redis: Redis, prefix: string, batchId: string): Promise<StoredBatchContent | undefined> {
  const raw = await redis.get(approvalKeys(prefix).content(batchId));
  return raw === null ? undefined : (JSON.parse(raw) as StoredBatchContent);
}
