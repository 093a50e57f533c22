import { describe, expect, it } from 'vitest';
import { playbookSchema } from '../../../src/config/index.js';
import { compilePlaybook, PlaybookInputError } from '../../../src/execution/runner/index.js';

function playbook(raw: Record<string, unknown>) {
  return playbookSchema.parse({ id: 'p', kind: 'security-patch', os: 'debian', ...raw });
}

const packagesParam = { packages: { type: 'packages', optional: true } };

describe('compilePlaybook: templates and parameters', () => {
  it('renders a package list as quoted words for sh, with the filter deciding name=version or name-version', () => {
    const apt = compilePlaybook(playbook({ params: packagesParam, steps: [{ name: 's', run: 'set -- {{ packages | apt }}' }] }), {
      params: { packages: [{ name: 'openssl', version: '3.0.11-1~deb12u2' }, { name: 'libc6' }] },
    });
    expect(apt.steps[0]?.command).toBe("set -- 'openssl=3.0.11-1~deb12u2' libc6");
    const dnf = compilePlaybook(playbook({ os: 'rhel', params: packagesParam, steps: [{ name: 's', run: 'dnf upgrade {{ packages | dnf }}' }] }), {
      params: { packages: 'openssl-libs=1:3.0.7-27.el9' },
    });
    expect(dnf.steps[0]?.command).toBe('dnf upgrade openssl-libs-1:3.0.7-27.el9');
  });

  it('renders nothing for an empty or absent package list', () => {
    const plan = compilePlaybook(playbook({ params: packagesParam, steps: [{ name: 's', run: 'set -- {{ packages | apt }}' }] }));
    expect(plan.steps[0]?.command).toBe('set -- ');
  });

  it('quotes strings so they stay one word, and renders PowerShell arrays and booleans for Windows', () => {
    const sh = compilePlaybook(playbook({ params: { note: { type: 'string' } }, steps: [{ name: 's', run: 'echo {{ note }}' }] }), { params: { note: "it's $(id)" } });
    expect(sh.steps[0]?.command).toBe(`echo 'it'\\''s $(id)'`);
    const ps = compilePlaybook(playbook({ os: 'windows', params: packagesParam, steps: [{ name: 's', run: '$kbs = {{ packages | names }}; $c = {{ check_mode }}', check: '$c = {{ check_mode }}' }] }), {
      params: { packages: ['KB5034441'] },
      checkMode: true,
    });
    expect(ps.steps[0]?.command).toBe('$c = $true');
    expect(ps.steps[0]?.powershell).toBe(true);
    const psRun = compilePlaybook(playbook({ os: 'windows', params: packagesParam, steps: [{ name: 's', run: '$kbs = {{ packages | names }}; $c = {{ check_mode }}' }] }), { params: { packages: ['KB5034441', 'KB5035845'] } });
    expect(psRun.steps[0]?.command).toBe(`$kbs = @('KB5034441','KB5035845'); $c = $false`);
  });

  it('exports the environment before each command and leaves out variables of unset parameters', () => {
    const raw = { params: { apt_config: { type: 'path', optional: true } }, environment: { DEBIAN_FRONTEND: 'noninteractive', APT_CONFIG: '{{ apt_config }}' }, steps: [{ name: 's', run: 'apt-get update' }] };
    expect(compilePlaybook(playbook(raw)).steps[0]?.command).toBe('export DEBIAN_FRONTEND=noninteractive\napt-get update');
    expect(compilePlaybook(playbook(raw), { params: { apt_config: '/srv/sandbox/apt.conf' } }).steps[0]?.command).toBe(
      'export DEBIAN_FRONTEND=noninteractive\nexport APT_CONFIG=/srv/sandbox/apt.conf\napt-get update',
    );
  });

  it('rejects a package name with shell syntax before anything is built, naming the parameter path', () => {
    const compile = () => compilePlaybook(playbook({ params: packagesParam, steps: [{ name: 's', run: 'x {{ packages | apt }}' }] }), { params: { packages: [{ name: 'openssl; rm -rf /' }] } });
    expect(compile).toThrow(PlaybookInputError);
    expect(compile).toThrow(/params\.packages\[0\]\.name: expected a debian package name: .*given "openssl; rm -rf \/"/);
  });

  it('rejects bad versions, unknown parameters, missing required ones and wrong types, all at once', () => {
    try {
      compilePlaybook(playbook({ params: { ...packagesParam, count: { type: 'number' }, force: { type: 'boolean', optional: true } }, steps: [{ name: 's', run: 'x' }] }), {
        params: { packages: [{ name: 'openssl', version: '1.0 && reboot' }], force: 'yes', extra: 1 },
      });
      expect.unreachable('compile should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(PlaybookInputError);
      const paths = (error as PlaybookInputError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(['params.count', 'params.extra', 'params.force', 'params.packages[0].version']);
    }
  });

  it('finds references to undeclared parameters, missing filters and stray braces', () => {
    try {
      compilePlaybook(playbook({ params: packagesParam, steps: [{ name: 's', run: 'x {{ pakages | apt }} {{ packages }} {{ not valid }}' }] }));
      expect.unreachable('compile should have thrown');
    } catch (error) {
      const messages = (error as PlaybookInputError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(messages).toEqual([
        'steps[0].run: {{ pakages }} names no parameter; declared: packages, check_mode',
        'steps[0].run: {{ packages }} is a package list: say how to write it with a filter, one of | apt, | zypper, | dnf, | names',
        'steps[0].run: "{{ not valid }}" looks like a placeholder but is not {{ name }} or {{ name | filter }}',
      ]);
    }
  });

  it('checks Windows package names against KB numbers and RPM names against RPM rules', () => {
    const windows = playbook({ os: 'windows', params: packagesParam, steps: [{ name: 's', run: '{{ packages | names }}' }] });
    expect(() => compilePlaybook(windows, { params: { packages: ['KB5034441'] } })).not.toThrow();
    expect(() => compilePlaybook(windows, { params: { packages: ["KB1'; Restart-Computer; '"] } })).toThrow(/Knowledge Base article number/);
    const rhel = playbook({ os: 'rhel', params: packagesParam, steps: [{ name: 's', run: '{{ packages | dnf }}' }] });
    expect(() => compilePlaybook(rhel, { params: { packages: ['NetworkManager', 'python3.11-libs'] } })).not.toThrow();
    expect(() => compilePlaybook(rhel, { params: { packages: ['`reboot`'] } })).toThrow(/rhel package name/);
  });
});
