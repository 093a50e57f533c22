import type { Redis } from 'ioredis';
import { appendAudit } from '../store/audit.js';

export interface HelpdeskChange {
  actor: string;
  action: string;
  subject: string;
  customerId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string;
  at: Date;
}

/** Every incident and problem state change goes to the project's hash-chained audit stream. */
export async function auditChange(redis: Redis, prefix: string, change: HelpdeskChange): Promise<void> {
  await appendAudit(redis, prefix, {
    actor: change.actor,
    action: change.action,
    subject: change.subject,
    customerId: change.customerId ?? undefined,
    before: change.before,
    after: change.after,
    reason: change.reason,
    at: change.at,
  });
}
