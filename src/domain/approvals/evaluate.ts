import type { ApprovalPolicy } from './policy.js';

export type Verdict = 'approved' | 'rejected';

/** One person's decision on a batch, bound to the content hash they saw. */
export interface ApprovalDecision {
  approver: string;
  at: string;
  verdict: Verdict;
  comment: string;
  contentHash: string;
}

export type ApprovalState = 'awaiting' | 'approved' | 'rejected' | 'expired';

export interface ApprovalEvaluation {
  state: ApprovalState;
  /** Distinct people whose approval counts now (given for the current content, before the cutoff). */
  approvers: string[];
  needed: number;
  /** Approvals given for content the batch no longer has. */
  voided: ApprovalDecision[];
  rejection?: ApprovalDecision;
}

/**
 * The approval state of a batch at `now`:
 * - a rejection ends it, whatever content it was given for (a rejected batch never runs);
 * - at or after the cutoff it is expired, however many approvals it has: waiting never counts as approval;
 * - an approval counts only for the content hash it was given for, and once per person;
 * - approved when the distinct approvers reach the policy's number.
 */
export function evaluateApprovals(input: { policy: ApprovalPolicy; decisions: readonly ApprovalDecision[]; contentHash: string; now: Date; cutoffAt: Date }): ApprovalEvaluation {
  const needed = input.policy.requiredApprovers;
  const rejection = input.decisions.find((d) => d.verdict === 'rejected');
  const approvals = input.decisions.filter((d) => d.verdict === 'approved');
  const current = approvals.filter((d) => d.contentHash === input.contentHash && Date.parse(d.at) < input.cutoffAt.getTime());
  const approvers = [...new Set(current.map((d) => d.approver))];
  const voided = approvals.filter((d) => d.contentHash !== input.contentHash);
  const base = { approvers, needed, voided };
  if (rejection !== undefined) return { ...base, state: 'rejected', rejection };
  if (input.now.getTime() >= input.cutoffAt.getTime()) return { ...base, state: 'expired' };
  return { ...base, state: approvers.length >= needed ? 'approved' : 'awaiting' };
}

/** True when the person already has an approval for this content: a second one changes nothing. */
export function alreadyApproved(decisions: readonly ApprovalDecision[], approver: string, contentHash: string): boolean {
  return decisions.some((d) => d.verdict === 'approved' && d.approver === approver && d.contentHash === contentHash);
}
