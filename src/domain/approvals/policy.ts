import { coversCustomer, hasRole, type Principal } from './roles.js';

/** `policies.approvals` of redback.yaml. */
export interface ApprovalPolicy {
  /** Distinct people who must approve; default 1. */
  requiredApprovers: number;
  /** The requester and the batch's creator may not approve it. */
  fourEyes: boolean;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = { requiredApprovers: 1, fourEyes: true };

/** The batch as the rules see it. */
export interface ApprovalSubject {
  batchId: string;
  customerId: string;
  /** Who planned the batch (`system:scheduler` for the planner). */
  createdBy: string;
  /** Who asked for approval, if a person did. */
  requestedBy: string | null;
}

export type RefusalCode = 'missing-role' | 'out-of-scope' | 'self-approval';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

/**
 * Whether `principal` may approve or reject the batch. Returns the first reason they may not, or undefined.
 * The same check applies to rejecting: a rejection stops a release, so it takes the same standing as approving it.
 */
export function approverRefusal(principal: Principal, subject: ApprovalSubject, policy: ApprovalPolicy): Refusal | undefined {
  if (!hasRole(principal, 'approver')) {
    return { code: 'missing-role', message: `${principal.name} may not decide on batch ${subject.batchId}: the approver role is needed and they have ${listRoles(principal)}; an admin can grant it with \`redback users add ${principal.name} --role approver ...\`` };
  }
  if (!coversCustomer(principal.customers, subject.customerId)) {
    return { code: 'out-of-scope', message: `${principal.name} may not decide on batch ${subject.batchId}: it belongs to customer ${subject.customerId} and their scope is ${principal.customers.join(', ') || 'empty'}` };
  }
  if (policy.fourEyes && (principal.name === subject.requestedBy || principal.name === subject.createdBy)) {
    const role = principal.name === subject.requestedBy ? 'requested' : 'created';
    return { code: 'self-approval', message: `${principal.name} may not decide on batch ${subject.batchId}: they ${role} it, and four-eyes (policies.approvals.four_eyes) needs a second person` };
  }
  return undefined;
}

/**
 * Emergency windows and out-of-window runs need a second engineer: someone other than the requester, with the
 * engineer or approver role and the customer in scope.
 */
export function secondEngineerRefusal(principal: Principal, requester: string, customerId: string, what: string): Refusal | undefined {
  if (!hasRole(principal, 'engineer') && !hasRole(principal, 'approver')) {
    return { code: 'missing-role', message: `${principal.name} may not approve ${what}: the engineer or approver role is needed and they have ${listRoles(principal)}` };
  }
  if (!coversCustomer(principal.customers, customerId)) {
    return { code: 'out-of-scope', message: `${principal.name} may not approve ${what}: it is for customer ${customerId} and their scope is ${principal.customers.join(', ') || 'empty'}` };
  }
  if (principal.name === requester) {
    return { code: 'self-approval', message: `${principal.name} may not approve ${what}: they requested it; a second engineer must approve` };
  }
  return undefined;
}

function listRoles(principal: Principal): string {
  return principal.roles.length === 0 ? 'no role' : `only ${principal.roles.join(', ')}`;
}
