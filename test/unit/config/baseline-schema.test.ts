import { describe, expect, it } from 'vitest';
import { scheduleFileSchema } from '../../../src/config/index.js';

describe('schedules/*.yaml baselines', () => {
  it('reads a customer default and a group baseline with their defaults filled in', () => {
    const parsed = scheduleFileSchema.parse({
      customer: 'acme',
      baselines: [
        { id: 'acme-default', classifications: ['security', 'bugfix'], severities: ['critical', 'important'], auto_approve_after_days: 7, anchor: 'latest', rejected: ['telnetd'] },
        { id: 'acme-db', groups: ['db'], approved: ['tzdata'], holds: [{ package: 'postgresql-15', version: '15.8-1' }] },
      ],
    });
    expect(parsed.baselines[0]).toEqual({ id: 'acme-default', groups: [], classifications: ['security', 'bugfix'], severities: ['critical', 'important'], autoApproveAfterDays: 7, anchor: 'latest', approved: [], rejected: ['telnetd'], holds: [] });
    expect(parsed.baselines[1]).toMatchObject({ groups: ['db'], autoApproveAfterDays: 0, anchor: 'first', approved: ['tzdata'], holds: [{ package: 'postgresql-15', version: '15.8-1' }] });
  });

  it('refuses an unknown anchor, a negative delay and a package name with shell characters, saying what is allowed', () => {
    const result = scheduleFileSchema.safeParse({ customer: 'acme', baselines: [{ id: 'b', anchor: 'newest', auto_approve_after_days: -1, rejected: ['openssl; rm -rf /'] }] });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(messages).toContain('baselines.0.anchor: expected first or latest, given "newest"');
    expect(messages.some((m) => m.startsWith('baselines.0.auto_approve_after_days:'))).toBe(true);
    expect(messages.some((m) => m.startsWith('baselines.0.rejected.0: expected a package name'))).toBe(true);
  });
});
