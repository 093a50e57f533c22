import type { Command } from 'commander';
import { approvalView, approveBatchOrRun, rejectBatch, requestApproval } from '../../../releases/index.js';
import { AS_OPTION_HELP, auditTokenWrite, print, withActingUser } from '../acting-user.js';

/** `redback batches request-approval|approve|reject|approval`: the four-eyes workflow over the approval service. */
export function registerBatchApprovalCommands(batches: Command): void {
  batches
    .command('request-approval <batchId>')
    .description('Compute the batch\'s content from the last scans and ask for approval; the requester may not approve it')
    .option('--comment <text>', 'for the approvers', '')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (batchId: string, options: { comment: string; config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        await auditTokenWrite(session, 'batches request-approval');
        const content = await requestApproval(session.context, batchId, session.principal, options.comment);
        print(`Approval requested for batch ${batchId} by ${session.principal.name}; content ${content.hash}.`);
        for (const host of content.hosts) print(`  ${host.hostId}: ${host.scanned ? `${host.taken.length} package(s) planned, ${host.left.length} left out` : 'never scanned: nothing planned'}`);
      });
    });

  batches
    .command('approval <batchId>')
    .description('The batch\'s content (planned diff per host), its hash, the request and every decision')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'machine-readable output')
    .action(async (batchId: string, options: { config?: string; as?: string; json?: boolean }) => {
      await withActingUser(options, async (session) => {
        const view = await approvalView(session.context, batchId);
        if (options.json === true) return print(JSON.stringify(view, null, 2));
        print(`Batch ${batchId}: ${view.batch.status}; approval ${view.batch.approval}; cutoff ${view.batch.cutoffAt}`);
        print(`  content   ${view.content?.hash ?? '(not computed: run request-approval)'}`);
        if (view.request !== undefined) print(`  requested by ${view.request.requestedBy} at ${view.request.requestedAt}${view.request.comment === '' ? '' : `: ${view.request.comment}`}`);
        if (view.evaluation !== undefined) print(`  state     ${view.evaluation.state}: ${view.evaluation.approvers.length} of ${view.evaluation.needed} approvals (${view.evaluation.approvers.join(', ') || 'none'})`);
        for (const d of view.decisions) print(`  ${d.at} ${d.approver} ${d.verdict} ${d.contentHash.slice(0, 12)}${d.contentHash === view.content?.hash ? '' : ' (void: other content)'} ${d.comment}`);
        for (const host of view.content?.hosts ?? []) {
          print(`  host ${host.hostId}${host.scanned ? ` (scanned ${host.scannedAt ?? '?'}, baseline ${host.baselineId ?? 'none'})` : ' (never scanned)'}`);
          for (const p of host.taken) print(`    + ${p.name} ${p.arch} ${p.from ?? '-'} -> ${p.to}`);
          for (const p of host.left) print(`    . ${p.name} ${p.to}: ${p.detail}`);
        }
      });
    });

  batches
    .command('approve <batchId>')
    .description('Approve the batch\'s current content (four-eyes: not its requester or creator; the approver role; the customer in scope); an out-of-window `redback run --force` batch: a second engineer (engineer or approver role, not the requester)')
    .option('--comment <text>', 'why, for the audit trail', '')
    .option('--hash <prefix>', 'the content hash you reviewed; refused if the content changed since')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (batchId: string, options: { comment: string; hash?: string; config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        await auditTokenWrite(session, 'batches approve');
        const result = await approveBatchOrRun(session.context, batchId, session.principal, { comment: options.comment, reviewedHash: options.hash });
        if (result.kind === 'out-of-window') return print(`Out-of-window run ${batchId} approved by ${session.principal.name} as the second engineer; it is ${result.status}.`);
        const { outcome } = result;
        const tally = `${outcome.evaluation.approvers.length} of ${outcome.evaluation.needed}`;
        if (!outcome.counted) print(`${session.principal.name} had already approved this content; it counts once (${tally}). Batch ${batchId} is ${outcome.status}.`);
        else print(`Batch ${batchId} approved by ${session.principal.name} (${tally}); it is ${outcome.status}.`);
      });
    });

  batches
    .command('reject <batchId>')
    .description('Reject a batch that has not started: it is cancelled and never runs')
    .requiredOption('--comment <text>', 'why, for the requester and the audit trail')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (batchId: string, options: { comment: string; config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        await auditTokenWrite(session, 'batches reject');
        await rejectBatch(session.context, batchId, session.principal, { comment: options.comment });
        print(`Batch ${batchId} rejected by ${session.principal.name}: ${options.comment}`);
      });
    });
}
