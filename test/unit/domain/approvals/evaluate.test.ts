import { describe, expect, it } from 'vitest';
import { alreadyApproved, evaluateApprovals, type ApprovalDecision } from '../../../../src/domain/approvals/index.js';

const cutoffAt = new Date('2025-11-20T22:00:00Z');
const before = new Date('2025-11-20T10:00:00Z');
const approve = (approver: string, contentHash = 'h1', at = '2025-11-20T09:00:00Z'): ApprovalDecision => ({ approver, at, verdict: 'approved', comment: '', contentHash });

describe('approval evaluation', () => {
  it('is approved once the required number of distinct people approved the current content', () => {
    const policy = { requiredApprovers: 2, fourEyes: true };
    expect(evaluateApprovals({ policy, decisions: [approve('bob')], contentHash: 'h1', now: before, cutoffAt })).toMatchObject({ state: 'awaiting', approvers: ['bob'], needed: 2 });
    expect(evaluateApprovals({ policy, decisions: [approve('bob'), approve('carol')], contentHash: 'h1', now: before, cutoffAt })).toMatchObject({ state: 'approved', approvers: ['bob', 'carol'] });
  });

  it('counts an approval given twice once', () => {
    const policy = { requiredApprovers: 2, fourEyes: true };
    const result = evaluateApprovals({ policy, decisions: [approve('bob'), approve('bob', 'h1', '2025-11-20T09:30:00Z')], contentHash: 'h1', now: before, cutoffAt });
    expect(result).toMatchObject({ state: 'awaiting', approvers: ['bob'] });
    expect(alreadyApproved([approve('bob')], 'bob', 'h1')).toBe(true);
    expect(alreadyApproved([approve('bob')], 'bob', 'h2')).toBe(false);
  });

  it('voids an approval given for other content', () => {
    const result = evaluateApprovals({ policy: { requiredApprovers: 1, fourEyes: true }, decisions: [approve('bob', 'h1')], contentHash: 'h2', now: before, cutoffAt });
    expect(result.state).toBe('awaiting');
    expect(result.approvers).toEqual([]);
    expect(result.voided.map((d) => d.approver)).toEqual(['bob']);
  });

  it('expires at the cutoff, approved or not: no timeout counts as approval', () => {
    const policy = { requiredApprovers: 1, fourEyes: true };
    expect(evaluateApprovals({ policy, decisions: [approve('bob')], contentHash: 'h1', now: cutoffAt, cutoffAt }).state).toBe('expired');
    expect(evaluateApprovals({ policy, decisions: [], contentHash: 'h1', now: new Date(cutoffAt.getTime() + 1), cutoffAt }).state).toBe('expired');
    expect(evaluateApprovals({ policy, decisions: [], contentHash: 'h1', now: new Date(cutoffAt.getTime() - 1), cutoffAt }).state).toBe('awaiting');
  });

  it('stays rejected once anyone with standing rejects, whatever else happens', () => {
    const rejection: ApprovalDecision = { approver: 'carol', at: '2025-11-20T09:10:00Z', verdict: 'rejected', comment: 'kernel update untested', contentHash: 'h0' };
    const result = evaluateApprovals({ policy: { requiredApprovers: 1, fourEyes: true }, decisions: [approve('bob'), rejection], contentHash: 'h1', now: before, cutoffAt });
    expect(result.state).toBe('rejected');
    expect(result.rejection?.comment).toBe('kernel update untested');
  });
});
