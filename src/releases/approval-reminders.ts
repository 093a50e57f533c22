import { dueReminder, reminderSchedule } from '../domain/approvals/index.js';
import { formatBasicUtc } from '../domain/index.js';
import { coerceError } from '../errors.js';
import { getApprovalRequest, getBatch, openBatchIds } from '../store/index.js';
import { sendApprovalReminders, type DueReminder } from './approvals.js';
import type { OrchestrationContext } from './context.js';

/**
 * Approval reminders on the scheduler's tick. For every batch awaiting approval, the reminder due now (24 h, 4 h,
 * 1 h before the window starts, `sendApprovalReminders`) is claimed first with `SET NX` on a key per batch and
 * threshold, so two schedulers ticking together send it once. Each reminder is an audit entry
 * (`approval.reminded`) and is handed to `deliver` (the helpdesk notifiers, wired by the CLI roles); when no
 * notifier takes it, it is logged.
 */
export interface ApprovalReminder extends DueReminder {
  /** The scheduled reminder instant this one stands for (ISO 8601 UTC). */
  threshold: string;
  cutoffAt: string;
}

/** Delivers a reminder; resolves true when some notifier took it. */
export type ReminderDelivery = (reminder: ApprovalReminder) => Promise<boolean>;

export function reminderClaimKey(prefix: string, batchId: string, threshold: Date): string {
  return `${prefix}:batch:${batchId}:reminded:${formatBasicUtc(threshold.getTime())}`;
}

export async function remindApprovers(context: OrchestrationContext, deliver?: ReminderDelivery): Promise<ApprovalReminder[]> {
  const now = context.clock.now();
  const sent: ApprovalReminder[] = [];
  for (const batchId of await openBatchIds(context.redis, context.prefix)) {
    const batch = await getBatch(context.redis, context.prefix, batchId);
    if (batch?.status !== 'awaiting-approval') continue;
    const request = await getApprovalRequest(context.redis, context.prefix, batchId);
    const requestedAt = new Date(request?.requestedAt ?? batch.plannedAt);
    const threshold = dueReminder(now, reminderSchedule(requestedAt, new Date(batch.windowStart)), request?.lastReminderAt == null ? null : new Date(request.lastReminderAt));
    if (threshold === undefined) continue;
    // The claim outlives the batch's approval period, so a late second scheduler cannot claim it again.
    const ttlMs = Math.max(Date.parse(batch.cutoffAt) - now.getTime(), 0) + 24 * 3_600_000;
    if ((await context.redis.set(reminderClaimKey(context.prefix, batchId, threshold), `${context.actor} ${now.toISOString()}`, 'PX', ttlMs, 'NX')) !== 'OK') continue;
    for (const due of await sendApprovalReminders(context, [batchId])) {
      const reminder: ApprovalReminder = { ...due, threshold: threshold.toISOString(), cutoffAt: batch.cutoffAt };
      let delivered = false;
      try {
        delivered = (await deliver?.(reminder)) ?? false;
      } catch (error) {
        context.logger.error({ err: coerceError(error), batch: batchId }, 'approval reminder: delivery failed');
      }
      if (!delivered) context.logger.warn({ batch: batchId, customer: batch.customerId, windowStart: batch.windowStart, approvals: `${due.approvers.length} of ${due.needed}` }, `batch ${batchId} still awaits approval (reminder ${reminder.threshold}); no notifier takes approval.reminder`);
      await context.audit.record({
        actor: context.actor,
        action: 'approval.reminded',
        subject: `batch/${batchId}`,
        customerId: batch.customerId,
        before: null,
        after: { threshold: reminder.threshold, approvers: due.approvers, needed: due.needed, requestedBy: due.requestedBy, delivered },
        reason: `${due.approvers.length} of ${due.needed} approvals; the window starts ${batch.windowStart}`,
        at: now,
      });
      sent.push(reminder);
    }
  }
  return sent;
}
