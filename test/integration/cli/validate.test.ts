import { describe, expect, it } from 'vitest';
import { MINIMAL_CONFIG, writeConfigDir } from '../../support/config-dir.js';
import { runCli } from '../../support/run-cli.js';

describe('redback validate (the real executable)', () => {
  it('prints a one-screen summary and exits 0 for a valid configuration', async () => {
    const dir = await writeConfigDir();
    const result = await runCli(['validate', '--config', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Configuration OK: ${dir}`);
    expect(result.stdout).toMatch(/Customers \(1\)\n {2}acme\s+Acme\s+Europe\/Amsterdam\s+1 hosts/);
    expect(result.stdout).toContain('by transport: ssh 1');
    expect(result.stdout).toMatch(/acme-weekly\s+acme\s+cron 0 2 \* \* 0 for 180 min/);
    expect(result.stdout.split('\n').length).toBeLessThan(40);
  });

  it('lists every error with file, line and path, and exits 1, for a broken copy', async () => {
    const dir = await writeConfigDir({
      'inventory/acme.yaml': MINIMAL_CONFIG['inventory/acme.yaml']!.replace('transport: ssh', 'transport: telnet').replace('Europe/Amsterdam', 'Mars/Olympus'),
      'schedules/acme.yaml': MINIMAL_CONFIG['schedules/acme.yaml']!.replace('playbooks: [update]', 'playbooks: [nonexistent]'),
    });
    const result = await runCli(['validate', '--config', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Configuration is invalid: \d+ errors/);
    expect(result.stdout).toContain('inventory/acme.yaml:4: customers[0].timezone: expected an IANA time zone');
    expect(result.stdout).toContain('inventory/acme.yaml:17: hosts[0].transport: expected one of ssh, winrm, local, given "telnet"');
    expect(result.stdout).toContain('schedules/acme.yaml:7: windows[0].playbooks[0]: expected a playbook id or kind');
  });

  it('prints machine-readable results with --json', async () => {
    const ok = await runCli(['validate', '--json', '--config', await writeConfigDir()]);
    expect(ok.code).toBe(0);
    const summary = JSON.parse(ok.stdout) as { valid: boolean; hosts: { total: number; byOs: Record<string, number> } };
    expect(summary.valid).toBe(true);
    expect(summary.hosts).toMatchObject({ total: 1, byOs: { debian: 1 } });

    const bad = await runCli(['validate', '--json', '--config', await writeConfigDir({ 'redback.yaml': 'redis: [1, 2\n' })]);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { valid: boolean; errors: Array<{ file: string; message: string }> };
    expect(report.valid).toBe(false);
    expect(report.errors[0]).toMatchObject({ file: 'redback.yaml' });
  });

  it('reads the config directory from $REDBACK_CONFIG when --config is not given', async () => {
    const dir = await writeConfigDir();
    const result = await runCli(['validate'], { env: { REDBACK_CONFIG: dir } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Configuration OK: ${dir}`);
  });

  it("validates the repository's own example configuration (three customers, Debian, RHEL, SUSE, Windows, a local demo host)", async () => {
    const result = await runCli(['validate', '--json'], { env: { REDBACK_CONFIG: '' } });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { customers: Array<{ id: string; timezone: string }>; hosts: { total: number; byTransport: Record<string, number>; byOs: Record<string, number> } };
    expect(summary.customers.map((c) => c.timezone).sort()).toEqual(['America/New_York', 'Asia/Tokyo', 'Europe/Amsterdam']);
    expect(Object.keys(summary.hosts.byOs).sort()).toEqual(['debian', 'rhel', 'suse', 'windows']);
    expect(summary.hosts.byTransport.local).toBeGreaterThanOrEqual(1);
    expect(summary.hosts.total).toBeGreaterThanOrEqual(12);
  });

  it('exits 2 with a usage message for an unknown option', async () => {
    const result = await runCli(['validate', '--confg', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--confg'/);
  });
});
