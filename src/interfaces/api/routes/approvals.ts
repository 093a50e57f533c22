import { z } from 'zod';
import type { Principal as ApprovalPrincipal } from '../../../domain/approvals/index.js';
import { approvalView, approveBatchOrRun, rejectBatch, requestApproval, type OrchestrationContext } from '../../../releases/index.js';
import { requireBatch } from '../../../store/index.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer, type Principal } from '../principal.js';
import type { RouteTable } from '../route.js';

export interface ApprovalRouteDeps {
  /** The orchestration context the approval service works in; its `actor` is replaced by the caller. */
  context: OrchestrationContext;
}

const batchParams = z.object({ id: z.string().min(1) });
const comment = z.string().max(2000, 'a comment has at most 2000 characters');

/**
 * The four-eyes workflow over HTTP: the batch's planned per-host diff and decisions, request, approve and reject.
 * The approval service decides who may (role, customer scope, not the requester or creator) and audits every
 * refusal; these routes only check that the caller can see the batch, so a stranger learns nothing.
 */
export function addApprovalRoutes(table: RouteTable, deps: ApprovalRouteDeps): void {
  const { context } = deps;
  const actingAs = (principal: Principal) => ({ ...context, actor: principal.user });
  const seeBatch = async (principal: Principal, batchId: string): Promise<void> => {
    const batch = await requireBatch(context.redis, context.prefix, batchId);
    if (!canSeeCustomer(principal, batch.customerId)) throw new HttpError(404, 'not-found', 'no such record');
  };

  table.add({
    method: 'GET',
    url: '/batches/:id/approval',
    summary: 'The batch\'s planned per-host diff, its content hash, the approval request and every decision',
    tag: 'approvals',
    role: 'viewer',
    params: batchParams,
    handler: async ({ params, principal }) => {
      await seeBatch(principal!, params.id);
      return await approvalView(context, params.id);
    },
  });

  table.add({
    method: 'POST',
    url: '/batches/:id/request-approval',
    summary: 'Compute the batch\'s content from the last scans and ask for approval; the requester may not approve it',
    tag: 'approvals',
    role: 'engineer',
    write: true,
    params: batchParams,
    body: z.object({ comment: comment.default('') }),
    handler: async ({ params, body, principal }) => {
      await seeBatch(principal!, params.id);
      const content = await requestApproval(actingAs(principal!), params.id, approvalPrincipal(principal!), body.comment);
      return { batchId: params.id, contentHash: content.hash, hosts: content.hosts };
    },
  });

  table.add({
    method: 'POST',
    url: '/batches/:id/approve',
    summary: 'Approve the batch\'s current content (four-eyes: not its requester or creator); refused if the reviewed content hash changed',
    tag: 'approvals',
    role: 'approver',
    write: true,
    params: batchParams,
    body: z.object({ comment: comment.default(''), reviewedHash: z.string().regex(/^[0-9a-f]{8,64}$/, 'expected the reviewed content hash (hex)').optional() }),
    handler: async ({ params, body, principal }) => {
      await seeBatch(principal!, params.id);
      // The same routing as `redback batches approve`: an out-of-window run takes a second engineer, every other
      // batch the four-eyes release rules.
      const result = await approveBatchOrRun(actingAs(principal!), params.id, approvalPrincipal(principal!), { comment: body.comment, reviewedHash: body.reviewedHash });
      return result.kind === 'release' ? { batchId: params.id, ...result.outcome } : { batchId: params.id, outOfWindowRun: true, status: result.status };
    },
  });

  table.add({
    method: 'POST',
    url: '/batches/:id/reject',
    summary: 'Reject a batch that has not started, with a comment saying why: it is cancelled and never runs',
    tag: 'approvals',
    role: 'approver',
    write: true,
    params: batchParams,
    body: z.object({ comment: comment.refine((text) => text.trim() !== '', 'a rejection needs a comment saying why') }),
    handler: async ({ params, body, principal }) => {
      await seeBatch(principal!, params.id);
      await rejectBatch(actingAs(principal!), params.id, approvalPrincipal(principal!), { comment: body.comment });
      return { batchId: params.id, status: (await requireBatch(context.redis, context.prefix, params.id)).status };
    },
  });
}

/** The API's principal in the approval domain's shape (a `*` scope is the list `['*']` there). */
function approvalPrincipal(principal: Principal): ApprovalPrincipal {
  return { name: principal.user, roles: principal.roles, customers: principal.customers === '*' ? ['*'] : principal.customers };
}
