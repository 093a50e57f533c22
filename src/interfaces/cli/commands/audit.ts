import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../../errors.js';
import { coversCustomer } from '../../../domain/approvals/index.js';
import { readAudit, verifyAuditChain } from '../../../store/index.js';
import { AS_OPTION_HELP, print, withActingUser } from '../acting-user.js';
import { auditCsvHeader, auditCsvRow, auditJsonLine } from '../audit-export-format.js';

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('The hash-chained audit trail: verify it, export it for an auditor');

  audit
    .command('verify')
    .description('Recompute the whole hash chain; exit 1 and name the first broken entry if it was edited, inserted into or cut')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (options: { config?: string; as?: string }) => {
      await withActingUser(options, async (session) => {
        const result = await verifyAuditChain(session.context.redis, session.context.prefix);
        if (result.ok) {
          print(`Audit chain OK: ${result.checked} entries verified.`);
          return;
        }
        print(`Audit chain BROKEN after ${result.checked} good entries.`);
        print(`  first broken entry: ${result.firstBroken?.id ?? '?'}`);
        print(`  problem: ${result.firstBroken?.problem ?? '?'}`);
        process.exitCode = 1;
      });
    });

  audit
    .command('export')
    .description('Write the entries between two instants (optionally one customer\'s) as JSON lines or CSV')
    .requiredOption('--from <iso>', 'first instant, ISO 8601 (e.g. 2026-01-01T00:00:00Z)')
    .requiredOption('--to <iso>', 'last instant, ISO 8601, inclusive')
    .option('--customer <id>', 'only entries about this customer')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('--output <file>', 'write to this file instead of standard output')
    .option('--config <dir>', 'configuration directory')
    .option('--as <user>', AS_OPTION_HELP)
    .action(async (options: { from: string; to: string; customer?: string; format: string; output?: string; config?: string; as?: string }) => {
      const from = instant('--from', options.from);
      const to = instant('--to', options.to);
      if (from.getTime() > to.getTime()) throw new AppError('input-invalid', `--from ${options.from} is after --to ${options.to}`);
      if (options.format !== 'jsonl' && options.format !== 'csv') throw new AppError('input-invalid', `--format expects jsonl or csv, given ${JSON.stringify(options.format)}`);
      await withActingUser(options, async (session) => {
        const scope = session.principal.customers;
        if (options.customer === undefined ? !scope.includes('*') : !coversCustomer(scope, options.customer)) {
          throw new AppError('forbidden', `${session.principal.name} may not export ${options.customer === undefined ? 'every customer\'s entries' : `customer ${options.customer}'s entries`}: their scope is ${scope.join(', ') || 'empty'}${options.customer === undefined ? '; pass --customer' : ''}`);
        }
        const entries = await readAudit(session.context.redis, session.context.prefix, { from, to, customerId: options.customer });
        const lines = options.format === 'csv' ? [auditCsvHeader(), ...entries.map(auditCsvRow)] : entries.map(auditJsonLine);
        const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
        if (options.output === undefined) {
          process.stdout.write(text);
        } else {
          await writeFileExclusive(options.output, text);
          process.stderr.write(`Wrote ${entries.length} entries to ${options.output}.\n`);
        }
      });
    });
}

function instant(option: string, text: string): Date {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(text) || Number.isNaN(ms)) throw new AppError('input-invalid', `${option} expects an ISO 8601 instant such as 2026-01-01T00:00:00Z, given ${JSON.stringify(text)}`);
  return new Date(ms);
}

/** Refuses to overwrite: an export handed to an auditor should not silently replace an earlier one. */
async function writeFileExclusive(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('conflict', `${path} exists already; choose another --output or remove it`);
    throw error;
  }
}
