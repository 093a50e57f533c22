/**
 * Reminders to approvers while a batch waits: at each offset before the deadline (the window's start: after it
 * the batch can still be approved until the cutoff, but the hosts lose window time), counted from when approval
 * was requested. A reminder due before the request is never sent.
 */
export const DEFAULT_REMINDER_OFFSETS_MS: readonly number[] = [24 * 3_600_000, 4 * 3_600_000, 3_600_000];

export function reminderSchedule(requestedAt: Date, deadline: Date, offsetsMs: readonly number[] = DEFAULT_REMINDER_OFFSETS_MS): Date[] {
  const times = offsetsMs
    .map((offset) => deadline.getTime() - offset)
    .filter((t) => t > requestedAt.getTime() && t < deadline.getTime());
  return [...new Set(times)].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * The reminder to send now, if any: the latest scheduled instant at or before `now` and after the last one sent.
 * Several missed reminders (a scheduler that was down) collapse into one.
 */
export function dueReminder(now: Date, schedule: readonly Date[], lastSentAt: Date | null): Date | undefined {
  const due = schedule.filter((t) => t.getTime() <= now.getTime() && (lastSentAt === null || t.getTime() > lastSentAt.getTime()));
  return due.at(-1);
}
