import { Argument, type Command, Option } from 'commander';
import { LEVELS, PRIORITY_NAMES, type Level } from '../../../domain/priority.js';
import { AppError } from '../../../errors.js';
import { PROBLEM_SOURCES, PROBLEM_STATUSES, type ProblemRecord, type ProblemSource, type ProblemStatus } from '../../../store/problems.js';
import { cliActor, withHelpdesk } from '../helpdesk-session.js';
import { localTime, table } from './incidents.js';

interface Common {
  config?: string;
  json?: boolean;
  actor?: string;
}

export function registerProblemsCommand(program: Command): void {
  const problems = program.command('problems').description('Preventive management: problems behind incidents; open, list, show, assign, note, link, estimate, status, resolve, close');
  const common = (command: Command) =>
    command
      .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
      .option('--actor <name>', 'who is acting, for the timeline and audit (default: $REDBACK_ACTOR, else $USER)')
      .option('--json', 'print the stored record as JSON');

  common(
    problems
      .command('open')
      .description('Open a problem; priority follows from impact x urgency')
      .option('--customer <id>', 'customer id (omit for a problem across customers)')
      .requiredOption('--category <text>', 'what kind of cause, e.g. step-failed, hardware, os-update')
      .addOption(new Option('--impact <level>').choices(LEVELS).makeOptionMandatory())
      .addOption(new Option('--urgency <level>').choices(LEVELS).makeOptionMandatory())
      .addOption(new Option('--source <source>', 'who started it').choices(PROBLEM_SOURCES).default('helpdesk'))
      .requiredOption('--title <text>', 'the suspected cause, in one line')
      .option('--incident <id>', 'linked incident (repeat for several)', (value: string, previous: string[]) => [...previous, value], [] as string[]),
  ).action(async (options: Common & { customer?: string; category: string; impact: Level; urgency: Level; source: ProblemSource; title: string; incident: string[] }) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      if (options.customer !== undefined && !config.customers.some((c) => c.id === options.customer)) {
        throw new AppError('input-invalid', `--customer ${options.customer}: expected a customer of the inventory (${config.customers.map((c) => c.id).join(', ')})`);
      }
      for (const id of options.incident) await helpdesk.incidents.get(id);
      const { record } = await helpdesk.problems.open(
        { customerId: options.customer ?? null, title: options.title, source: options.source, category: options.category, impact: options.impact, urgency: options.urgency, incidentIds: options.incident },
        cliActor(options.actor),
      );
      for (const id of options.incident) await helpdesk.detector.linkBothWays(record.id, id);
      print(options, await helpdesk.problems.get(record.id), () => `Opened ${record.id} P${record.priority} (${PRIORITY_NAMES[record.priority]})\n`);
    });
  });

  common(
    problems
      .command('list')
      .description('List problems, newest first')
      .option('--customer <id>', 'only this customer')
      .addOption(new Option('--status <status...>', 'only these statuses').choices(PROBLEM_STATUSES))
      .option('--open', 'only open problems'),
  ).action(async (options: Common & { customer?: string; status?: ProblemStatus[]; open?: boolean }) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      const statuses = options.open === true ? PROBLEM_STATUSES.filter((s) => s !== 'resolved' && s !== 'closed') : options.status;
      const records = await helpdesk.problems.list({ customerId: options.customer, statuses });
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
        return;
      }
      if (records.length === 0) {
        process.stdout.write('No problems.\n');
        return;
      }
      process.stdout.write(
        table(
          ['ID', 'PRI', 'STATUS', 'CUSTOMER', 'CATEGORY', 'INCIDENTS', 'OPENED', 'TITLE'],
          records.map((r) => [r.id, `P${r.priority}`, r.status, r.customerId ?? '(several)', r.category, String(r.incidentIds.length), localTime(config, r.customerId, r.openedAt), r.title]),
        ),
      );
    });
  });

  common(problems.command('show').description('Show one problem with its timeline').argument('<id>', 'PRB-000045')).action(async (id: string, options: Common) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      const record = await helpdesk.problems.get(id);
      const timeline = await helpdesk.problems.timeline(id);
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify({ ...record, timeline }, null, 2)}\n`);
        return;
      }
      const lines = [
        `${record.id}  ${record.title}`,
        `  customer    ${record.customerId ?? '(several)'}`,
        `  status      ${record.status}${record.assignee === null ? '' : ` (assignee ${record.assignee})`}`,
        `  priority    P${record.priority} ${PRIORITY_NAMES[record.priority]} (impact ${record.impact}, urgency ${record.urgency})`,
        `  category    ${record.category} (source ${record.source})`,
        `  effort      ${record.effort === null ? '-' : `${record.effort.people} people, ${record.effort.hours} h, means: ${record.effort.means}`}`,
        `  incidents   ${record.incidentIds.join(', ') || '-'}`,
      ];
      if (record.trigger !== null) lines.push(`  detected    ${record.trigger.rule}: ${JSON.stringify(record.trigger.detail)}`);
      if (record.knownErrorWorkaround !== null) lines.push(`  workaround  ${record.knownErrorWorkaround}`);
      if (record.resolution !== null) lines.push(`  resolution  ${record.resolution}`);
      lines.push('', 'Timeline');
      for (const e of timeline) lines.push(`  ${localTime(config, record.customerId, e.at)}  ${e.actor.padEnd(24)} ${e.action}${e.text === undefined ? '' : `  ${e.text}`}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  });

  common(problems.command('assign').argument('<id>').argument('<assignee>').description('Assign to an engineer')).action(async (id: string, assignee: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => print(options, await helpdesk.problems.assign(id, assignee, cliActor(options.actor)), () => `${id} assigned to ${assignee}\n`));
  });

  common(problems.command('note').argument('<id>').argument('<text>').description('Add a note to the timeline')).action(async (id: string, text: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => print(options, await helpdesk.problems.note(id, text, cliActor(options.actor)), () => `Noted on ${id}\n`));
  });

  common(problems.command('link').argument('<id>').argument('<incidents...>').description('Link incidents to the problem (both records show the link)')).action(async (id: string, incidentIds: string[], options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => {
      await helpdesk.problems.get(id);
      for (const incidentId of incidentIds) await helpdesk.incidents.get(incidentId);
      for (const incidentId of incidentIds) await helpdesk.detector.linkBothWays(id, incidentId);
      print(options, await helpdesk.problems.get(id), () => `${id} linked to ${incidentIds.join(', ')}\n`);
    });
  });

  common(
    problems
      .command('estimate')
      .argument('<id>')
      .description('Record the effort to remove the cause: people, means and hours')
      .requiredOption('--people <n>', 'how many people', (v) => Number(v))
      .requiredOption('--hours <n>', 'hours of work', (v) => Number(v))
      .option('--means <text>', 'tools, parts, licences, vendor support', '-'),
  ).action(async (id: string, options: Common & { people: number; hours: number; means: string }) => {
    await withHelpdesk(options.config, async ({ helpdesk }) =>
      print(options, await helpdesk.problems.estimate(id, { people: options.people, hours: options.hours, means: options.means }, cliActor(options.actor)), () => `${id} estimated\n`),
    );
  });

  common(
    problems
      .command('status')
      .argument('<id>')
      .addArgument(new Argument('<status>', 'new status').choices(PROBLEM_STATUSES))
      .option('--note <text>', 'required for known-error (the workaround) and resolved (what removed the cause)')
      .description('Move to another status'),
  ).action(async (id: string, status: ProblemStatus, options: Common & { note?: string }) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => print(options, await helpdesk.problems.setStatus(id, status, cliActor(options.actor), options.note), () => `${id} is ${status}\n`));
  });

  common(problems.command('resolve').argument('<id>').requiredOption('--note <text>', 'what removed the cause').description('Resolve the problem')).action(async (id: string, options: Common & { note: string }) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => print(options, await helpdesk.problems.setStatus(id, 'resolved', cliActor(options.actor), options.note), () => `${id} resolved\n`));
  });

  common(problems.command('close').argument('<id>').description('Close a resolved problem')).action(async (id: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => print(options, await helpdesk.problems.setStatus(id, 'closed', cliActor(options.actor)), () => `${id} closed\n`));
  });
}

function print(options: Common, record: ProblemRecord, text: () => string): void {
  process.stdout.write(options.json === true ? `${JSON.stringify(record, null, 2)}\n` : text());
}
