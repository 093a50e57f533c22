import { describe, expect, it } from 'vitest';
import { eligibleFrom } from '../../../../src/domain/baselines/index.js';

// SEMANTICS.md §3 "Auto-approval delay".
describe('auto-approval delay', () => {
  const released = '2025-11-09T18:00:00.000Z';
  const revisedOnDay5 = '2025-11-14T18:00:00.000Z';

  it('makes an update released 2025-11-09T18:00Z eligible from 2025-11-16T18:00Z with N=7', () => {
    expect(eligibleFrom({ releasedAt: released, revisedAt: null }, 7, 'first').toISOString()).toBe('2025-11-16T18:00:00.000Z');
    expect(eligibleFrom({ releasedAt: released, revisedAt: null }, 7, 'latest').toISOString()).toBe('2025-11-16T18:00:00.000Z');
  });

  it('keeps day 7 for a revision on day 5 with the first-release anchor', () => {
    expect(eligibleFrom({ releasedAt: released, revisedAt: revisedOnDay5 }, 7, 'first').toISOString()).toBe('2025-11-16T18:00:00.000Z');
  });

  it('moves to day 12 for a revision on day 5 with the latest-revision anchor', () => {
    expect(eligibleFrom({ releasedAt: released, revisedAt: revisedOnDay5 }, 7, 'latest').toISOString()).toBe('2025-11-21T18:00:00.000Z');
  });

  it('counts elapsed 24-hour days, so a DST change in between does not move it', () => {
    // Europe's clocks went back on 2025-10-26; the delay is in UTC.
    expect(eligibleFrom({ releasedAt: '2025-10-24T10:00:00.000Z', revisedAt: null }, 3, 'first').toISOString()).toBe('2025-10-27T10:00:00.000Z');
  });
});
