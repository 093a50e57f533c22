import { describe, expect, it } from 'vitest';
import { approverRefusal, secondEngineerRefusal, type ApprovalSubject, type Principal } from '../../../../src/domain/approvals/index.js';

const subject: ApprovalSubject = { batchId: 'w@20251120T200000Z', customerId: 'acme', createdBy: 'system:scheduler', requestedBy: 'alice' };
const policy = { requiredApprovers: 1, fourEyes: true };
const person = (name: string, roles: Principal['roles'], customers: string[] = ['acme']): Principal => ({ name, roles, customers });

describe('who may approve', () => {
  it('lets an approver with the customer in scope approve', () => {
    expect(approverRefusal(person('bob', ['engineer', 'approver']), subject, policy)).toBeUndefined();
    expect(approverRefusal(person('bob', ['approver'], ['*']), subject, policy)).toBeUndefined();
  });

  it('refuses the requester under four-eyes, and allows them without it', () => {
    const alice = person('alice', ['engineer', 'approver']);
    expect(approverRefusal(alice, subject, policy)).toMatchObject({ code: 'self-approval' });
    expect(approverRefusal(alice, subject, { ...policy, fourEyes: false })).toBeUndefined();
  });

  it('refuses the batch creator under four-eyes', () => {
    expect(approverRefusal(person('carol', ['approver']), { ...subject, createdBy: 'carol', requestedBy: null }, policy)).toMatchObject({ code: 'self-approval' });
  });

  it('refuses someone without the approver role, admins included', () => {
    expect(approverRefusal(person('dave', ['engineer']), subject, policy)).toMatchObject({ code: 'missing-role' });
    expect(approverRefusal(person('erin', ['admin']), subject, policy)?.message).toMatch(/approver role is needed and they have only admin/);
  });

  it('refuses an approver whose scope does not cover the customer', () => {
    expect(approverRefusal(person('frank', ['approver'], ['globex']), subject, policy)).toMatchObject({ code: 'out-of-scope' });
  });
});

describe('second-engineer approval for emergency and forced runs', () => {
  it('needs someone other than the requester, with a role and the customer in scope', () => {
    expect(secondEngineerRefusal(person('bob', ['engineer']), 'alice', 'acme', 'a forced run')).toBeUndefined();
    expect(secondEngineerRefusal(person('alice', ['engineer']), 'alice', 'acme', 'a forced run')).toMatchObject({ code: 'self-approval' });
    expect(secondEngineerRefusal(person('vic', ['viewer']), 'alice', 'acme', 'a forced run')).toMatchObject({ code: 'missing-role' });
    expect(secondEngineerRefusal(person('bob', ['engineer'], ['globex']), 'alice', 'acme', 'a forced run')).toMatchObject({ code: 'out-of-scope' });
  });
});
