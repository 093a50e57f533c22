import { describe, expect, it } from 'vitest';
import { writeConfigDir } from '../../support/config-dir.js';
import { runCli } from '../../support/run-cli.js';

describe('redback validate checks playbook templates (the real executable)', () => {
  it('fails a playbook whose command references an unknown parameter, naming the file and the path', async () => {
    const dir = await writeConfigDir({
      'playbooks/debian-update.yaml': `id: debian-update
kind: update
os: debian
params:
  packages: { type: packages, optional: true }
steps:
  - name: refresh
    run: apt-get update
  - name: install
    run: apt-get install -y {{ packages | apt }}
    check: apt-get install -s {{ pakages | apt }}
`,
    });
    const result = await runCli(['validate', '--config', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Configuration is invalid: 1 error\n/);
    expect(result.stdout).toContain('error  playbooks/debian-update.yaml: steps[1].check: {{ pakages }} names no parameter; declared: packages, check_mode');

    const json = await runCli(['validate', '--json', '--config', dir]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { valid: boolean; errors: Array<{ file: string; path: string; message: string }> };
    expect(report.valid).toBe(false);
    expect(report.errors).toEqual([expect.objectContaining({ file: 'playbooks/debian-update.yaml', path: 'steps[1].check', message: expect.stringContaining('pakages') })]);
  });

  it('accepts the same playbook once the parameter is spelled right', async () => {
    const dir = await writeConfigDir({
      'playbooks/debian-update.yaml': `id: debian-update
kind: update
os: debian
params:
  packages: { type: packages, optional: true }
steps:
  - name: install
    run: apt-get install -y {{ packages | apt }}
`,
    });
    const result = await runCli(['validate', '--config', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
