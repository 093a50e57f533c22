import { describe, expect, it } from 'vitest';
import { dueReminder, reminderSchedule } from '../../../../src/domain/approvals/index.js';

const deadline = new Date('2025-11-20T20:00:00Z');
const hour = 3_600_000;

describe('approval reminders', () => {
  it('schedules reminders 24 h, 4 h and 1 h before the deadline, only after the request', () => {
    expect(reminderSchedule(new Date('2025-11-18T00:00:00Z'), deadline).map((d) => d.toISOString())).toEqual(['2025-11-19T20:00:00.000Z', '2025-11-20T16:00:00.000Z', '2025-11-20T19:00:00.000Z']);
    expect(reminderSchedule(new Date('2025-11-20T12:00:00Z'), deadline).map((d) => d.toISOString())).toEqual(['2025-11-20T16:00:00.000Z', '2025-11-20T19:00:00.000Z']);
    expect(reminderSchedule(new Date('2025-11-20T19:30:00Z'), deadline, [2 * hour])).toEqual([]);
  });

  it('sends the latest due reminder once, collapsing missed ones', () => {
    const schedule = reminderSchedule(new Date('2025-11-18T00:00:00Z'), deadline);
    expect(dueReminder(new Date('2025-11-19T19:59:00Z'), schedule, null)).toBeUndefined();
    expect(dueReminder(new Date('2025-11-20T17:00:00Z'), schedule, null)?.toISOString()).toBe('2025-11-20T16:00:00.000Z');
    expect(dueReminder(new Date('2025-11-20T17:00:00Z'), schedule, new Date('2025-11-20T16:00:00Z'))).toBeUndefined();
    expect(dueReminder(new Date('2025-11-20T19:00:00Z'), schedule, new Date('2025-11-20T16:00:00Z'))?.toISOString()).toBe('2025-11-20T19:00:00.000Z');
  });
});
