import type { Command } from 'commander';
import type { ResolvedConfig } from '../../../config/index.js';
import { ConfigError, formatConfigIssue } from '../../../errors.js';
import { loadConfigForCli } from '../load-config.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Load and check the whole configuration; print a summary, or every error with file and path')
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--json', 'print a machine-readable result')
    .action(async (options: { config?: string; json?: boolean }) => {
      try {
        const config = await loadConfigForCli(options.config);
        if (options.json === true) process.stdout.write(`${JSON.stringify({ valid: true, ...summarize(config) }, null, 2)}\n`);
        else process.stdout.write(renderSummary(config));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify({ valid: false, errors: error.issues.filter((i) => i.severity === 'error'), warnings: error.issues.filter((i) => i.severity === 'warning') }, null, 2)}\n`);
        } else {
          const errors = error.issues.filter((i) => i.severity === 'error');
          process.stdout.write(`Configuration is invalid: ${errors.length} error${errors.length === 1 ? '' : 's'}\n`);
          for (const issue of error.issues) process.stdout.write(`  ${issue.severity === 'error' ? 'error' : 'warning'}  ${formatConfigIssue(issue)}\n`);
        }
        process.exitCode = 1;
      }
    });
}

export function summarize(config: ResolvedConfig) {
  const count = (values: string[]) => Object.fromEntries([...new Set(values)].sort().map((v) => [v, values.filter((x) => x === v).length]));
  return {
    dir: config.dir,
    customers: config.customers.map((c) => ({ id: c.id, name: c.name, timezone: c.timezone, hosts: config.hosts.filter((h) => h.customerId === c.id).length })),
    hosts: { total: config.hosts.length, byTransport: count(config.hosts.map((h) => h.transport)), byOs: count(config.hosts.map((h) => h.os)) },
    windows: config.windows.map((w) => ({ id: w.id, customerId: w.customerId, timezone: w.timezone, rule: w.rrule === undefined ? `cron ${w.cron}` : `${w.rrule}${w.offsetDays === 0 ? '' : ` ${w.offsetDays > 0 ? '+' : ''}${w.offsetDays} days`}`, start: w.start, durationMs: w.durationMs, playbooks: w.playbooks, approval: w.approval })),
    playbooks: config.playbooks.map((p) => ({ id: p.id, kind: p.kind, os: p.os, steps: p.steps.length })),
    redis: config.settings.redis.url === undefined ? (config.settings.redis.sentinel === undefined ? 'embedded' : 'sentinel') : 'url',
    warnings: config.warnings,
  };
}

function renderSummary(config: ResolvedConfig): string {
  const s = summarize(config);
  const lines: string[] = [`Configuration OK: ${config.dir}`, ''];
  lines.push(`Customers (${s.customers.length})`);
  for (const c of s.customers) lines.push(`  ${c.id.padEnd(14)} ${c.name.padEnd(28)} ${c.timezone.padEnd(20)} ${c.hosts} hosts`);
  lines.push('', `Hosts (${s.hosts.total})`);
  lines.push(`  by transport: ${Object.entries(s.hosts.byTransport).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`  by OS:        ${Object.entries(s.hosts.byOs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('', `Windows (${s.windows.length})`);
  for (const w of s.windows) {
    lines.push(`  ${w.id.padEnd(28)} ${w.customerId.padEnd(10)} ${w.rule}${w.start === undefined ? '' : ` at ${w.start}`} for ${Math.round(w.durationMs / 60_000)} min (${w.timezone}), ${w.playbooks.join(', ')}, approval ${w.approval}`);
  }
  lines.push('', `Playbooks (${s.playbooks.length})`);
  for (const p of s.playbooks) lines.push(`  ${p.id.padEnd(28)} ${p.kind.padEnd(15)} ${p.os.padEnd(8)} ${p.steps} step${p.steps === 1 ? '' : 's'}`);
  lines.push('', `Redis: ${s.redis === 'embedded' ? 'embedded (redback serve starts its own redis-server)' : s.redis}`);
  if (s.warnings.length > 0) {
    lines.push('', `Warnings (${s.warnings.length})`);
    for (const w of s.warnings) lines.push(`  ${formatConfigIssue(w)}`);
  }
  return `${lines.join('\n')}\n`;
}
