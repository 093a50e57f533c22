import { describe, expect, it } from 'vitest';
import {
  assertPriorityMatrix,
  computePriority,
  impactFromAffectedHosts,
  ITIL_PRIORITY_MATRIX,
  levelFromNumber,
  type PriorityMatrix,
} from '../../../src/domain/priority.js';

describe('ITIL priority matrix', () => {
  it('gives the SEMANTICS §3 vectors: impact 2 x urgency 1 is 2 (high), impact 3 x urgency 3 is 5 (planning)', () => {
    expect(computePriority(levelFromNumber(2), levelFromNumber(1))).toBe(2);
    expect(computePriority(levelFromNumber(3), levelFromNumber(3))).toBe(5);
  });

  it('has every cell of the §2.7 table', () => {
    const table = [
      [1, 2, 3],
      [2, 3, 4],
      [3, 4, 5],
    ];
    for (const impact of [1, 2, 3] as const) {
      for (const urgency of [1, 2, 3] as const) {
        expect(computePriority(levelFromNumber(impact), levelFromNumber(urgency))).toBe(table[impact - 1]?.[urgency - 1]);
      }
    }
  });

  it('uses a configured matrix instead of the default', () => {
    const strict: PriorityMatrix = { high: { high: 1, medium: 1, low: 2 }, medium: { high: 1, medium: 2, low: 3 }, low: { high: 2, medium: 3, low: 4 } };
    expect(computePriority('high', 'medium', assertPriorityMatrix(strict))).toBe(1);
    expect(computePriority('high', 'medium', ITIL_PRIORITY_MATRIX)).toBe(2);
  });

  it('rejects a matrix with a missing or out-of-range cell and names the cell', () => {
    expect(() => assertPriorityMatrix({ high: { high: 1, medium: 2, low: 3 }, medium: { high: 2, medium: 3, low: 9 } }, 'helpdesk.priority_matrix')).toThrow(
      /helpdesk\.priority_matrix is invalid[\s\S]*medium\.low: expected a priority 1 to 5, given 9[\s\S]*low\.high: expected a priority 1 to 5, given nothing/,
    );
  });

  it('rejects an inverted matrix where a higher urgency gets a lower priority', () => {
    const inverted = { high: { high: 3, medium: 2, low: 1 }, medium: { high: 4, medium: 3, low: 2 }, low: { high: 5, medium: 4, low: 3 } };
    expect(() => assertPriorityMatrix(inverted)).toThrow(/urgency high must not be a lower priority/);
  });
});

describe('impact from affected hosts', () => {
  it('is low for one ordinary host', () => {
    expect(impactFromAffectedHosts(['medium'])).toBe('low');
  });
  it('rises to medium with two hosts or one high-criticality host', () => {
    expect(impactFromAffectedHosts(['low', 'low'])).toBe('medium');
    expect(impactFromAffectedHosts(['high'])).toBe('medium');
  });
  it('rises to high with five hosts or one critical host', () => {
    expect(impactFromAffectedHosts(['low', 'low', 'low', 'low', 'low'])).toBe('high');
    expect(impactFromAffectedHosts(['low', 'critical'])).toBe('high');
    expect(impactFromAffectedHosts(['low', 'low', 'low', 'low'])).toBe('medium');
  });
});
