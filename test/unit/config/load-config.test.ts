import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfigDir } from '../../../src/config/index.js';
import { ConfigError, type ConfigIssue } from '../../../src/errors.js';
import { MINIMAL_CONFIG, writeConfigDir } from '../../support/config-dir.js';

/** The issue at `path` (other issues the same mistake causes may come first). */
async function issueAt(path: string, overrides: Record<string, string | null>): Promise<ConfigIssue> {
  const issues = await issuesOf(overrides);
  const issue = issues.find((i) => i.path === path);
  if (issue === undefined) throw new Error(`expected an issue at ${path}; got ${JSON.stringify(issues, null, 2)}`);
  return issue;
}

async function issuesOf(overrides: Record<string, string | null>): Promise<ConfigIssue[]> {
  const dir = await writeConfigDir(overrides);
  try {
    await loadConfig({ dir, env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.filter((i) => i.severity === 'error');
    throw error;
  }
  throw new Error('expected the configuration to be rejected, but it loaded');
}

const inventory = MINIMAL_CONFIG['inventory/acme.yaml']!;
const schedule = MINIMAL_CONFIG['schedules/acme.yaml']!;
const playbook = MINIMAL_CONFIG['playbooks/debian-update.yaml']!;

describe('loadConfig: a valid configuration', () => {
  it('loads into a frozen, resolved config with camelCase fields and durations in ms', async () => {
    const config = await loadConfig({ dir: await writeConfigDir(), env: {} });
    expect(config.customers.map((c) => c.id)).toEqual(['acme']);
    expect(config.customers[0]!.contract.sla[1]).toEqual({ responseMs: 15 * 60_000, resolutionMs: 4 * 3_600_000 });
    expect(config.hosts[0]).toMatchObject({ id: 'web-01', customerId: 'acme', port: 22, transport: 'ssh', criticality: 'medium' });
    expect(config.windows[0]).toMatchObject({ id: 'acme-weekly', customerId: 'acme', timezone: 'Europe/Amsterdam', durationMs: 3 * 3_600_000, cutoffMs: 0 });
    expect(config.sources['host/web-01']).toBe('inventory/acme.yaml');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.hosts[0])).toBe(true);
    expect(() => (config.hosts as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('lets REDIS_URL in the environment override redis.url from the file', async () => {
    const dir = await writeConfigDir({ 'redback.yaml': 'redis:\n  url: redis://file-host:6379\n' });
    const fromFile = await loadConfig({ dir, env: {} });
    expect(fromFile.settings.redis).toMatchObject({ url: 'redis://file-host:6379', urlSource: 'file' });
    const fromEnv = await loadConfig({ dir, env: { REDIS_URL: 'redis://env-host:6380' } });
    expect(fromEnv.settings.redis).toMatchObject({ url: 'redis://env-host:6380', urlSource: 'env' });
  });

  it('treats a missing redback.yaml as all defaults', async () => {
    const config = await loadConfig({ dir: await writeConfigDir({ 'redback.yaml': null }), env: {} });
    expect(config.settings.api.listen).toBe('127.0.0.1:8080');
    expect(config.settings.redis).toMatchObject({ prefix: 'redback', urlSource: 'none' });
    expect(config.settings.policies.plannerLeadTimeMs).toBe(24 * 3_600_000);
  });

  it('resolves the config directory from --config, then $REDBACK_CONFIG, then the current directory', () => {
    expect(resolveConfigDir({ dir: 'a', env: { REDBACK_CONFIG: 'b' }, cwd: '/srv' })).toBe(resolve('/srv/a'));
    expect(resolveConfigDir({ env: { REDBACK_CONFIG: '/etc/redback' }, cwd: '/srv' })).toBe('/etc/redback');
    expect(resolveConfigDir({ env: {}, cwd: '/srv' })).toBe('/srv');
  });

  it('accepts a window that names a playbook by kind when every targeted OS has one', async () => {
    const config = await loadConfig({ dir: await writeConfigDir(), env: {} });
    expect(config.windows[0]!.playbooks).toEqual(['update']);
  });
});

describe('loadConfig: bad input gets a clear error naming file, line and path', () => {
  it('1. a wrong type: port as a string', async () => {
    const issue = await issueAt('hosts[0].port', { 'inventory/acme.yaml': inventory.replace('    transport: ssh', '    port: "22"\n    transport: ssh') });
    expect(issue).toMatchObject({ file: 'inventory/acme.yaml', line: 17 });
    expect(issue!.message).toBe('expected number, given "22"');
  });

  it('2. an unknown key, with its line', async () => {
    const issue = await issueAt('hosts[0].adress', { 'inventory/acme.yaml': inventory.replace('    address: 10.0.0.1', '    adress: 10.0.0.1') });
    expect(issue).toMatchObject({ file: 'inventory/acme.yaml', line: 16 });
    expect(issue!.message).toMatch(/unknown key "adress"/);
  });

  it('3. a transport that does not exist lists the allowed ones and echoes the given one', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('transport: ssh', 'transport: telnet') });
    expect(issue).toMatchObject({ path: 'hosts[0].transport' });
    expect(issue!.message).toBe('expected one of ssh, winrm, local, given "telnet"');
  });

  it('4. an unknown OS family', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('os: debian', 'os: ubuntu') });
    expect(issue).toMatchObject({ path: 'hosts[0].os' });
    expect(issue!.message).toBe('expected one of debian, rhel, suse, windows, given "ubuntu"');
  });

  it('5. a time zone that is not an IANA zone', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('Europe/Amsterdam', 'Europe/Amsterdm') });
    expect(issue).toMatchObject({ path: 'customers[0].timezone', line: 4 });
    expect(issue!.message).toMatch(/IANA time zone.*given "Europe\/Amsterdm"/);
  });

  it('6. an inline secret where a reference is required', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('private_key: file:keys/id', 'password: hunter2') });
    expect(issue).toMatchObject({ path: 'hosts[0].credentials.password' });
    expect(issue!.message).toMatch(/secret reference env:NAME or file:PATH/);
    // The secret itself is never echoed back.
    expect(issue!.message).not.toContain('hunter2');
  });

  it('7. malformed YAML, with its line number', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': 'customer: acme\nwindows:\n  - id: x: y\n    duration: 3h\n' });
    expect(issue).toMatchObject({ file: 'schedules/acme.yaml', line: 3 });
    expect(issue!.message).toMatch(/^malformed YAML: Nested mappings are not allowed/);
  });

  it('8. a key written twice in one mapping', async () => {
    const [issue] = await issuesOf({ 'redback.yaml': 'redis:\n  prefix: a\n  prefix: b\n' });
    expect(issue).toMatchObject({ file: 'redback.yaml', line: 3 });
    expect(issue!.message).toMatch(/malformed YAML: Map keys must be unique/);
  });

  it('9. a duration that is not one', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': schedule.replace('duration: 3h', 'duration: 3 hours') });
    expect(issue).toMatchObject({ path: 'windows[0].duration', line: 5 });
    expect(issue!.message).toMatch(/expected a duration like 30s, 45m.*given "3 hours"/);
  });

  it('10. a start that is not HH:MM', async () => {
    const issue = await issueAt('windows[0].start', { 'schedules/acme.yaml': schedule.replace('    cron: "0 2 * * 0"', '    rrule: "FREQ=WEEKLY;BYDAY=SU"\n    start: "25:00"') });
    expect(issue!.message).toMatch(/expected a local time HH:MM.*given "25:00"/);
  });

  it('11. rrule and cron together', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': schedule.replace('    cron: "0 2 * * 0"', '    cron: "0 2 * * 0"\n    rrule: "FREQ=DAILY"') });
    expect(issue!.message).toMatch(/exactly one of rrule or cron/);
  });

  it('12. a redis URL with the wrong scheme', async () => {
    const [issue] = await issuesOf({ 'redback.yaml': 'redis:\n  url: http://localhost:6379\n' });
    expect(issue).toMatchObject({ file: 'redback.yaml', path: 'redis.url', line: 2 });
    expect(issue!.message).toMatch(/redis:\/\/ or rediss:\/\/ URL, given "http/);
  });

  it('13. a playbook step without run', async () => {
    const [issue] = await issuesOf({ 'playbooks/debian-update.yaml': playbook.replace('    run: apt-get update\n', '') });
    expect(issue).toMatchObject({ file: 'playbooks/debian-update.yaml', path: 'steps[0].run' });
    expect(issue!.message).toMatch(/expected the command to run, given nothing/);
  });

  it('14. a step timeout of 0', async () => {
    const [issue] = await issuesOf({ 'playbooks/debian-update.yaml': `${playbook}    timeout: 0s\n` });
    expect(issue).toMatchObject({ path: 'steps[0].timeout' });
    expect(issue!.message).toMatch(/greater than zero, given "0s"/);
  });

  it('15. an SSH host whose key is not pinned', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace(/ {4}ssh: .*\n/, '') });
    expect(issue).toMatchObject({ path: 'hosts[0].ssh' });
    expect(issue!.message).toMatch(/host_key or ssh.known_hosts.*trust_on_first_use/);
  });

  it('16. an id with a colon (BullMQ refuses it in job ids)', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('id: web-01', 'id: "web:01"') });
    expect(issue).toMatchObject({ path: 'hosts[0].id' });
    expect(issue!.message).toMatch(/no ":" or "\/".*given "web:01"/);
  });

  it('17. an offset_days outside -6..6', async () => {
    const issue = await issueAt('windows[0].offset_days', { 'schedules/acme.yaml': schedule.replace('    cron: "0 2 * * 0"', '    rrule: "FREQ=MONTHLY;BYDAY=2TU"\n    start: "22:00"\n    offset_days: 9') });
    expect(issue!.message).toMatch(/-6 to 6|<=6|less than or equal to 6/);
  });

  it('reports every error of every file at once, not the first only', async () => {
    const issues = await issuesOf({
      'inventory/acme.yaml': inventory.replace('transport: ssh', 'transport: telnet'),
      'schedules/acme.yaml': schedule.replace('duration: 3h', 'duration: soon'),
      'playbooks/debian-update.yaml': playbook.replace('kind: update', 'kind: reboot'),
    });
    expect(issues.map((i) => `${i.file} ${i.path}`)).toEqual(
      expect.arrayContaining(['inventory/acme.yaml hosts[0].transport', 'schedules/acme.yaml windows[0].duration', 'playbooks/debian-update.yaml kind']),
    );
  });

  it('reports a bad entry once, not again as a dangling reference from the files that name it', async () => {
    const issues = await issuesOf({
      // The only host of group linux-prod, and the customer itself, are invalid; the schedule names both.
      'inventory/acme.yaml': inventory.replace('transport: ssh', 'transport: telnet').replace('Europe/Amsterdam', 'Europe/Amsterdm'),
    });
    expect(issues.map((i) => i.path)).toEqual(['customers[0].timezone', 'hosts[0].transport']);
  });

  it('a missing config directory is one clear error', async () => {
    await expect(loadConfig({ dir: '/nonexistent/redback-config', env: {} })).rejects.toThrow(/expected a configuration directory/);
  });
});

describe('loadConfig: rollout sizes', () => {
  const withRollout = (rollout: string) => ({ 'schedules/acme.yaml': schedule.replace('    playbooks: [update]\n', `    playbooks: [update]\n    rollout: ${rollout}\n`) });

  it('refuses a max_concurrency or a serial wave of 0 hosts, naming the place; 0 stays a valid max_errors', async () => {
    expect((await issueAt('windows[0].rollout.max_concurrency', withRollout('{ max_concurrency: 0 }'))).message).toBe(
      'expected at least 1 host (or a percentage like "10%"), given number 0 (0 hosts at a time would run nothing; write 1 for one host at a time)',
    );
    expect((await issueAt('windows[0].rollout.max_concurrency', withRollout('{ max_concurrency: "0%" }'))).message).toMatch(/expected a percentage above 0% like "10%", given "0%"/);
    expect(await issueAt('windows[0].rollout.serial[1]', withRollout('{ serial: [1, 0] }'))).toMatchObject({ file: 'schedules/acme.yaml', line: 8 });
    const config = await loadConfig({ dir: await writeConfigDir(withRollout('{ max_errors: 0, max_concurrency: "0.5%", serial: [1, "100%"] }')), env: {} });
    expect(config.windows[0]!.rollout).toEqual({ maxErrors: 0, maxConcurrency: '0.5%', serial: [1, '100%'], customerConcurrency: undefined });
  });
});

describe('loadConfig: cross-references', () => {
  it('a host names a customer that does not exist', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('    customer: acme', '    customer: globex') });
    expect(issue).toMatchObject({ file: 'inventory/acme.yaml', path: 'hosts[0].customer', line: 15 });
    expect(issue!.message).toBe('expected the id of a customer defined in inventory/ (acme), given "globex"');
  });

  it('a schedule names a customer that does not exist', async () => {
    const issues = await issuesOf({ 'schedules/acme.yaml': schedule.replace('customer: acme', 'customer: globex') });
    expect(issues[0]).toMatchObject({ file: 'schedules/acme.yaml', path: 'customer', line: 1 });
  });

  it('a window targets a group no host of its customer is in', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': schedule.replace('groups: [linux-prod]', 'groups: [linux-prod, windows-prod]') });
    expect(issue).toMatchObject({ path: 'windows[0].targets.groups[1]' });
    expect(issue!.message).toMatch(/expected a group with hosts of customer acme \(linux-prod\), given "windows-prod"/);
  });

  it('a window targets a host that does not exist', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': schedule.replace('{ groups: [linux-prod] }', '{ hosts: [web-99] }') });
    expect(issue).toMatchObject({ path: 'windows[0].targets.hosts[0]' });
    expect(issue!.message).toBe('expected the id of an inventory host, given "web-99"');
  });

  it("a window targets another customer's host", async () => {
    const other = `customers:
  - id: globex
    name: Globex
    timezone: America/New_York
    contract:
      business_hours: 24x7
      sla: { 1: { response: 1h, resolution: 4h }, 2: { response: 1h, resolution: 4h }, 3: { response: 1h, resolution: 4h }, 4: { response: 1h, resolution: 4h }, 5: { response: 1h, resolution: 4h } }
hosts:
  - { id: globex-01, customer: globex, address: 10.1.0.1, transport: local, os: debian }
`;
    const [issue] = await issuesOf({ 'inventory/globex.yaml': other, 'schedules/acme.yaml': schedule.replace('{ groups: [linux-prod] }', '{ hosts: [globex-01] }') });
    expect(issue!.message).toBe('host globex-01 belongs to customer globex, not to acme, whose schedule this is');
  });

  it('a window names a playbook that does not exist', async () => {
    const [issue] = await issuesOf({ 'schedules/acme.yaml': schedule.replace('playbooks: [update]', 'playbooks: [patch-all]') });
    expect(issue).toMatchObject({ path: 'windows[0].playbooks[0]' });
    expect(issue!.message).toMatch(/expected a playbook id or kind from playbooks\/ \(debian-update\), given "patch-all"/);
  });

  it('a window names a playbook kind with no version for a targeted host\'s OS', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('os: debian', 'os: rhel') });
    expect(issue).toMatchObject({ path: 'windows[0].playbooks[0]' });
    expect(issue!.message).toMatch(/has no version for OS rhel/);
  });

  it('a jump host that does not exist', async () => {
    const [issue] = await issuesOf({ 'inventory/acme.yaml': inventory.replace('ssh: { host_key:', 'ssh: { jump_host: bastion, host_key:') });
    expect(issue).toMatchObject({ path: 'hosts[0].ssh.jump_host' });
  });

  it('the same host id in two files', async () => {
    const [issue] = await issuesOf({ 'inventory/more.yaml': 'hosts:\n  - { id: web-01, customer: acme, address: 10.0.0.2, transport: local, os: debian }\n' });
    expect(issue).toMatchObject({ file: 'inventory/more.yaml', path: 'hosts[0].id', line: 2 });
    expect(issue!.message).toBe('duplicate host id "web-01": already defined in inventory/acme.yaml; ids must be unique across files');
  });

  it('the same window id in two schedule files', async () => {
    const [issue] = await issuesOf({ 'schedules/again.yaml': schedule });
    expect(issue!.message).toMatch(/duplicate window id "acme-weekly": already defined in schedules\/acme.yaml/);
  });

  it('the same playbook id in two files', async () => {
    const [issue] = await issuesOf({ 'playbooks/copy.yaml': playbook });
    expect(issue!.message).toMatch(/duplicate playbook id "debian-update"/);
  });

  it('a notifier scoped to a customer that does not exist', async () => {
    const [issue] = await issuesOf({ 'redback.yaml': 'notifiers:\n  - { id: hook, type: webhook, url: "https://hooks.example/x", customers: [globex] }\n' });
    expect(issue).toMatchObject({ file: 'redback.yaml', path: 'notifiers[0].customers[0]' });
  });
});
