import { Argument, type Command, Option } from 'commander';
import { DateTime } from 'luxon';
import type { ResolvedConfig } from '../../../config/index.js';
import { FAILURE_CLASSES } from '../../../domain/failure-class.js';
import { LEVELS, PRIORITY_NAMES, type Level } from '../../../domain/priority.js';
import { clockStatus } from '../../../domain/sla/index.js';
import { directoryFromConfig } from '../../../helpdesk/index.js';
import { AppError } from '../../../errors.js';
import { INCIDENT_STATUSES, INTAKE_CATEGORIES, type IncidentRecord, type IncidentStatus } from '../../../store/incidents.js';
import type { TimelineEntry } from '../../../store/tickets.js';
import { cliActor, withHelpdesk } from '../helpdesk-session.js';
import { wholeNumberAtLeast } from '../arguments.js';

interface Common {
  config?: string;
  json?: boolean;
  actor?: string;
}

const CATEGORIES = [...INTAKE_CATEGORIES, ...FAILURE_CLASSES];

export function registerIncidentsCommand(program: Command): void {
  const incidents = program.command('incidents').description('Helpdesk incidents: open, list, show, assign, note, change status, resolve, close');
  const common = (command: Command) =>
    command
      .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
      .option('--actor <name>', 'who is acting, for the timeline and audit (default: $REDBACK_ACTOR, else $USER)')
      .option('--json', 'print the stored record as JSON');

  common(
    incidents
      .command('open')
      .description('Open a manual incident; priority follows from impact x urgency, SLA clocks from the customer contract')
      .requiredOption('--customer <id>', 'customer id from the inventory')
      .addOption(new Option('--category <category>', 'what is affected').choices(CATEGORIES).makeOptionMandatory())
      .addOption(new Option('--impact <level>', 'how much of the business is affected').choices(LEVELS).makeOptionMandatory())
      .addOption(new Option('--urgency <level>', 'how fast it must be fixed').choices(LEVELS).makeOptionMandatory())
      .requiredOption('--title <text>', 'what is wrong, in one line')
      .option('--host <id>', 'affected host (repeat for several)', (value: string, previous: string[]) => [...previous, value], [] as string[]),
  ).action(async (options: Common & { customer: string; category: string; impact: Level; urgency: Level; title: string; host: string[] }) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      const unknown = options.host.filter((h) => !config.hosts.some((known) => known.id === h && known.customerId === options.customer));
      if (unknown.length > 0) throw new AppError('input-invalid', `--host ${unknown.join(', ')}: expected hosts of customer ${options.customer} in the inventory`);
      const { record } = await helpdesk.incidents.open(
        { customerId: options.customer, title: options.title, source: 'manual', category: options.category, impact: options.impact, urgency: options.urgency, hosts: options.host },
        cliActor(options.actor),
      );
      print(options, record, () => `Opened ${record.id} P${record.priority} (${PRIORITY_NAMES[record.priority]}) for ${record.customerId}\n${renderDue(config, record)}`);
    });
  });

  common(
    incidents
      .command('list')
      .description('List incidents, newest first')
      .option('--customer <id>', 'only this customer')
      .addOption(new Option('--status <status...>', 'only these statuses').choices(INCIDENT_STATUSES))
      .option('--open', 'only open incidents (not resolved or closed)')
      .option('--limit <n>', 'at most this many', wholeNumberAtLeast(1), 100),
  ).action(async (options: Common & { customer?: string; status?: IncidentStatus[]; open?: boolean; limit: number }) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      const statuses = options.open === true ? INCIDENT_STATUSES.filter((s) => s !== 'resolved' && s !== 'closed') : options.status;
      const records = await helpdesk.incidents.list({ customerId: options.customer, statuses, limit: options.limit });
      if (options.json === true) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      else process.stdout.write(renderList(config, records));
    });
  });

  common(incidents.command('show').description('Show one incident with its SLA clocks and timeline').argument('<id>', 'INC-000123')).action(async (id: string, options: Common) => {
    await withHelpdesk(options.config, async ({ config, helpdesk }) => {
      const record = await helpdesk.incidents.get(id);
      const timeline = await helpdesk.incidents.timeline(id);
      if (options.json === true) process.stdout.write(`${JSON.stringify({ ...record, timeline }, null, 2)}\n`);
      else process.stdout.write(renderShow(config, record, timeline));
    });
  });

  common(incidents.command('assign').description('Assign to an engineer (status new -> assigned)').argument('<id>').argument('<assignee>')).action(async (id: string, assignee: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => {
      const record = await helpdesk.incidents.assign(id, assignee, cliActor(options.actor));
      print(options, record, () => `${record.id} assigned to ${record.assignee ?? ''} (status ${record.status})\n`);
    });
  });

  common(incidents.command('note').description('Add a note to the timeline (stops the response clock)').argument('<id>').argument('<text>')).action(async (id: string, text: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => {
      const record = await helpdesk.incidents.note(id, text, cliActor(options.actor));
      print(options, record, () => `Noted on ${record.id}\n`);
    });
  });

  common(
    incidents
      .command('status')
      .description('Move to another status; waiting-for-window pauses the SLA clocks until --until')
      .argument('<id>')
      .addArgument(new Argument('<status>', 'new status').choices(INCIDENT_STATUSES))
      .option('--until <instant>', 'with waiting-for-window: when the maintenance window opens (ISO 8601)')
      .option('--note <text>', 'why'),
  ).action(async (id: string, status: IncidentStatus, options: Common & { until?: string; note?: string }) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => {
      const until = options.until === undefined ? undefined : parseInstant(options.until);
      const record = await helpdesk.incidents.setStatus(id, status, cliActor(options.actor), { until, note: options.note });
      print(options, record, () => `${record.id} is ${record.status}\n`);
    });
  });

  common(incidents.command('resolve').description('Resolve with a note saying what fixed it').argument('<id>').requiredOption('--note <text>', 'what fixed it')).action(
    async (id: string, options: Common & { note: string }) => {
      await withHelpdesk(options.config, async ({ helpdesk }) => {
        const record = await helpdesk.incidents.resolve(id, options.note, cliActor(options.actor));
        print(options, record, () => `${record.id} resolved\n`);
      });
    },
  );

  common(incidents.command('close').description('Close a resolved incident').argument('<id>')).action(async (id: string, options: Common) => {
    await withHelpdesk(options.config, async ({ helpdesk }) => {
      const record = await helpdesk.incidents.close(id, cliActor(options.actor));
      print(options, record, () => `${record.id} closed\n`);
    });
  });
}

function print(options: Common, record: unknown, text: () => string): void {
  process.stdout.write(options.json === true ? `${JSON.stringify(record, null, 2)}\n` : text());
}

function parseInstant(text: string): Date {
  const parsed = DateTime.fromISO(text, { setZone: true });
  if (!parsed.isValid || !/(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    throw new AppError('input-invalid', `--until: expected an ISO 8601 instant with a zone, like 2026-04-18T22:00:00+02:00, given ${JSON.stringify(text)}`);
  }
  return parsed.toJSDate();
}

/** An instant in the customer's own zone, as the contract counts it. */
export function localTime(config: ResolvedConfig, customerId: string | null, iso: string | null): string {
  if (iso === null) return '-';
  const zone = config.customers.find((c) => c.id === customerId)?.timezone ?? 'UTC';
  return DateTime.fromISO(iso, { zone }).toFormat('yyyy-LL-dd HH:mm ZZ');
}

function renderDue(config: ResolvedConfig, record: IncidentRecord): string {
  return `  respond by ${localTime(config, record.customerId, record.sla.responseDueAt)}\n  resolve by ${localTime(config, record.customerId, record.sla.resolutionDueAt)}\n`;
}

export function renderList(config: ResolvedConfig, records: readonly IncidentRecord[]): string {
  if (records.length === 0) return 'No incidents.\n';
  const rows = records.map((r) => [
    r.id,
    `P${r.priority}`,
    r.status,
    r.customerId,
    r.category,
    String(r.hosts.length),
    dueCell(config, r, 'response'),
    dueCell(config, r, 'resolution'),
    r.title,
  ]);
  return table(['ID', 'PRI', 'STATUS', 'CUSTOMER', 'CATEGORY', 'HOSTS', 'RESPOND BY', 'RESOLVE BY', 'TITLE'], rows);
}

/** The due instant while the clock runs; `met` or `missed` once it stopped; `paused` while waiting. */
function dueCell(config: ResolvedConfig, record: IncidentRecord, clock: 'response' | 'resolution'): string {
  const state = record.sla[clock];
  if (state.stoppedAt !== undefined) return clockStatus(directoryFromConfig(config).calendarFor(record.customerId), state, new Date(state.stoppedAt));
  if (state.pausedAt !== undefined) return 'paused';
  return localTime(config, record.customerId, clock === 'response' ? record.sla.responseDueAt : record.sla.resolutionDueAt);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function renderShow(config: ResolvedConfig, record: IncidentRecord, timeline: readonly TimelineEntry[]): string {
  const lines = [
    `${record.id}  ${record.title}`,
    `  customer    ${record.customerId}`,
    `  status      ${record.status}${record.assignee === null ? '' : ` (assignee ${record.assignee})`}`,
    `  priority    P${record.priority} ${PRIORITY_NAMES[record.priority]} (impact ${record.impact}, urgency ${record.urgency})`,
    `  category    ${record.category} (source ${record.source})`,
    `  hosts       ${record.hosts.join(', ') || '-'}`,
    `  opened      ${localTime(config, record.customerId, record.openedAt)}`,
    `  respond by  ${slaLine(config, record, 'response')}`,
    `  resolve by  ${slaLine(config, record, 'resolution')}`,
  ];
  if (record.waitingUntil !== null) lines.push(`  waiting     until ${localTime(config, record.customerId, record.waitingUntil)} (SLA clocks paused)`);
  if (record.problemIds.length > 0) lines.push(`  problems    ${record.problemIds.join(', ')}`);
  if (record.resolution !== null) lines.push(`  resolution  ${record.resolution}`);
  lines.push('', 'Timeline');
  for (const entry of timeline) {
    const move = entry.from !== undefined || entry.to !== undefined ? ` ${JSON.stringify(entry.from ?? null)} -> ${JSON.stringify(entry.to ?? null)}` : '';
    lines.push(`  ${localTime(config, record.customerId, entry.at)}  ${entry.actor.padEnd(24)} ${entry.action}${move}${entry.text === undefined ? '' : `  ${entry.text}`}`);
  }
  return `${lines.join('\n')}\n`;
}

function slaLine(config: ResolvedConfig, record: IncidentRecord, clock: 'response' | 'resolution'): string {
  const state = record.sla[clock];
  if (state.stoppedAt !== undefined) {
    const verdict = clockStatus(directoryFromConfig(config).calendarFor(record.customerId), state, new Date(state.stoppedAt));
    return `${verdict} (done at ${localTime(config, record.customerId, state.stoppedAt)})`;
  }
  if (state.pausedAt !== undefined) return 'paused';
  const due = clock === 'response' ? record.sla.responseDueAt : record.sla.resolutionDueAt;
  const breached = due !== null && Date.parse(due) <= Date.now() ? ' (breached)' : '';
  return `${localTime(config, record.customerId, due)}${breached}`;
}
