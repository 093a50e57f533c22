import { formatBasicUtc } from '../domain/index.js';
import type { ApprovalReminder, ReminderDelivery } from '../releases/index.js';
import type { EventPublisher, HelpdeskEvent } from './events.js';
import { notifiersFor, type NotifierConfig } from './notifications/index.js';

/**
 * Approval reminders through the helpdesk notifiers: an `approval.reminder` event to every notifier whose `events`
 * select it (`approval.reminder`, `approval.*` or `*`) and whose customers include the batch's. The event id is
 * deterministic (batch and threshold), so the delivery job id makes a repeat a no-op. Resolves false when no
 * notifier takes it; the scheduler then logs it (it is audited either way).
 */
export function approvalReminderDelivery(options: { notifiers: readonly NotifierConfig[]; publisher: EventPublisher; now?: () => Date }): ReminderDelivery {
  return async (reminder: ApprovalReminder) => {
    const event: HelpdeskEvent = {
      id: `approval-reminder-${reminder.batchId.replace(/[^A-Za-z0-9._@-]/g, '_')}-${formatBasicUtc(Date.parse(reminder.threshold))}`,
      type: 'approval.reminder',
      at: (options.now?.() ?? new Date()).toISOString(),
      customerId: reminder.customerId,
      subject: `batch/${reminder.batchId}`,
      summary: `batch ${reminder.batchId} awaits approval: ${reminder.approvers.length} of ${reminder.needed} approvals; the window starts ${reminder.windowStart}, approvals expire at ${reminder.cutoffAt}`,
      data: { ...reminder },
    };
    if (notifiersFor(options.notifiers, event).length === 0) return false;
    await options.publisher.publish(event);
    return true;
  };
}
