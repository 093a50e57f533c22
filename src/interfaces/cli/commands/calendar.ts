import type { Command } from 'commander';
import { AppError } from '../../../errors.js';
import { formatInstantInZone } from '../../../domain/index.js';
import { buildCalendar, parseRangeBound, renderIcs, type Expansion, type Occurrence, type RemovedOccurrence } from '../../../scheduling/index.js';
import { loadConfigForCli } from '../load-config.js';

interface CalendarOptions {
  config?: string;
  customer?: string;
  host?: string;
  from?: string;
  to?: string;
  json?: boolean;
  ics?: boolean;
}

/** `redback calendar`: the maintenance-window occurrences in a range, as a table, JSON or an iCalendar file. */
export function registerCalendarCommand(program: Command): void {
  program
    .command('calendar')
    .description('List maintenance-window occurrences in a range (table in local time with UTC, --json, or --ics)')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--customer <id>', 'only this customer\'s windows')
    .option('--host <id>', 'only the windows that target this host')
    .option('--from <date|instant>', 'range start: YYYY-MM-DD (00:00 in each window\'s zone) or ISO 8601 with offset/Z')
    .option('--to <date|instant>', 'range end: YYYY-MM-DD (inclusive, through 24:00 in each window\'s zone) or ISO 8601 with offset/Z (exclusive)')
    .option('--json', 'print { occurrences, removed } as JSON')
    .option('--ics', 'print an RFC 5545 calendar (one event per occurrence)')
    .action(async (options: CalendarOptions, command: Command) => {
      const usage = (message: string): never => command.error(`redback calendar: ${message}`, { exitCode: 2, code: 'redback.usage' });
      if (options.from === undefined || options.to === undefined) usage('expected both --from and --to, e.g. --from 2026-03-01 --to 2026-03-31');
      if (options.json === true && options.ics === true) usage('expected one of --json or --ics, given both');
      let calendar: Expansion;
      try {
        const from = parseRangeBound(options.from as string, 'from');
        const to = parseRangeBound(options.to as string, 'to');
        const config = await loadConfigForCli(options.config);
        calendar = buildCalendar(config, { from, to, customerId: options.customer, hostId: options.host });
      } catch (error) {
        if (error instanceof AppError && (error.code === 'input-invalid' || error.code === 'not-found')) usage(error.message);
        throw error;
      }
      if (options.json === true) process.stdout.write(`${JSON.stringify(toJson(calendar), null, 2)}\n`);
      else if (options.ics === true) process.stdout.write(renderIcs(calendar.occurrences, { name: calendarName(options) }));
      else process.stdout.write(renderTable(calendar));
    });
}

function calendarName(options: CalendarOptions): string {
  const scope = options.host !== undefined ? `host ${options.host}` : options.customer !== undefined ? `customer ${options.customer}` : 'all customers';
  return `Maintenance windows (${scope})`;
}

export function toJson(calendar: Expansion) {
  return {
    occurrences: calendar.occurrences.map((o) => ({
      id: o.id,
      windowId: o.windowId,
      customerId: o.customerId,
      start: o.start,
      end: o.end,
      cutoff: o.cutoff,
      timezone: o.timezone,
      playbooks: o.playbooks,
      hosts: o.hostIds,
    })),
    removed: calendar.removed.map((r) => ({ id: r.id, windowId: r.windowId, start: r.start, reason: r.reason })),
  };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Thu 2026-03-12 22:00 +01:00`: local wall clock with its offset, so a DST day reads unambiguously. */
function local(ms: number, zone: string): string {
  const iso = formatInstantInZone(ms, zone);
  const weekday = WEEKDAYS[new Date(`${iso.slice(0, 10)}T00:00:00Z`).getUTCDay()] as string;
  return `${weekday} ${iso.slice(0, 10)} ${iso.slice(11, 16)} ${iso.slice(19)}`;
}

function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

function renderTable(calendar: Expansion): string {
  const header = ['WINDOW', 'CUSTOMER', 'ZONE', 'LOCAL START', 'LOCAL END', 'CUTOFF', 'UTC START', 'UTC END', 'HOSTS', 'PLAYBOOKS'];
  const rows = calendar.occurrences.map((o: Occurrence) => [
    o.windowId,
    o.customerId,
    o.timezone,
    local(o.startMs, o.timezone),
    local(o.endMs, o.timezone),
    formatInstantInZone(o.cutoffMs, o.timezone).slice(11, 16),
    utc(o.startMs),
    utc(o.endMs),
    String(o.hostIds.length),
    o.playbooks.join(', '),
  ]);
  const lines = [`${calendar.occurrences.length} occurrence${calendar.occurrences.length === 1 ? '' : 's'}, ${calendar.removed.length} removed`, ''];
  if (rows.length > 0) for (const line of columns([header, ...rows])) lines.push(line);
  if (calendar.removed.length > 0) {
    lines.push('', 'Removed');
    for (const line of columns([['WINDOW', 'LOCAL START', 'UTC START', 'REASON'], ...calendar.removed.map((r: RemovedOccurrence) => [r.windowId, local(r.startMs, r.timezone), utc(r.startMs), r.reason])])) lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

function columns(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => rows.reduce((widest, r) => Math.max(widest, (r[i] ?? '').length), 0));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ').trimEnd());
}
