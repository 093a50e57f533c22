import { describe, expect, it } from 'vitest';
import { playbookSchema } from '../../../src/config/index.js';
import { compilePlaybook, runPlanOnHost, type HostRunResult } from '../../../src/execution/runner/index.js';
import { TransportError } from '../../../src/execution/transport.js';
import { FixedClock } from '../../../src/platform/index.js';
import { FakeTransport, type FakeRule } from './fake-transport.js';

const noWait = async (): Promise<void> => {};
const clock = new FixedClock('2026-03-12T21:00:00Z');

function playbook(raw: Record<string, unknown>) {
  return playbookSchema.parse({ id: 'test-playbook', kind: 'update', os: 'debian', ...raw });
}

async function run(raw: Record<string, unknown>, rules: FakeRule[], options: { checkMode?: boolean; params?: Record<string, unknown>; transport?: FakeTransport } = {}): Promise<{ result: HostRunResult; transport: FakeTransport; sleeps: number[] }> {
  const transport = options.transport ?? new FakeTransport('web-1', rules);
  const sleeps: number[] = [];
  const plan = compilePlaybook(playbook(raw), { checkMode: options.checkMode ?? false, params: options.params ?? {} });
  const result = await runPlanOnHost(plan, transport, { clock, sleep: async (ms) => { sleeps.push(ms); await noWait(); } });
  return { result, transport, sleeps };
}

describe('runPlanOnHost', () => {
  it('stops at a failing pre-check: no step runs and the class is step-failed', async () => {
    const { result, transport } = await run(
      { pre_checks: [{ name: 'disk', run: 'check-disk' }], steps: [{ name: 'install', run: 'apt-get install' }] },
      [{ contains: 'check-disk', answers: [{ exitCode: 1, stdout: 'only 10 MiB free' }] }],
    );
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('step-failed');
    expect(result.failedAt).toEqual({ phase: 'pre-check', name: 'disk' });
    expect(result.message).toContain('only 10 MiB free');
    expect(transport.ran('apt-get install')).toBe(false);
  });

  it('retries a retryable transport failure with the delay, and gives up after `retries`', async () => {
    const timeout = new TransportError('timeout', 'no answer', { hostId: 'web-1' });
    const { result, sleeps } = await run(
      { steps: [{ name: 'refresh', run: 'apt-get update', retries: 2, delay: '30s' }] },
      [{ contains: 'apt-get update', answers: [timeout, timeout, { exitCode: 0 }] }],
    );
    expect(result.status).toBe('ok');
    expect(result.commands[0]?.attempts).toBe(3);
    expect(sleeps).toEqual([30_000, 30_000]);

    const failing = await run(
      { steps: [{ name: 'refresh', run: 'apt-get update', retries: 1, delay: '5s' }] },
      [{ contains: 'apt-get update', answers: [timeout] }],
    );
    expect(failing.result.status).toBe('failed');
    expect(failing.result.failureClass).toBe('timeout');
    expect(failing.transport.executed).toHaveLength(2);
  });

  it('does not retry a command that ran and failed', async () => {
    const { result, transport, sleeps } = await run(
      { steps: [{ name: 'install', run: 'apt-get install', retries: 3, delay: '1s' }, { name: 'after', run: 'never-reached' }] },
      [{ contains: 'apt-get install', answers: [{ exitCode: 100, stderr: 'E: Unable to locate package' }] }],
    );
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('step-failed');
    expect(result.commands.find((c) => c.name === 'install')?.stderr).toContain('Unable to locate package');
    expect(transport.executed.filter((e) => e.command.includes('apt-get install'))).toHaveLength(1);
    expect(transport.ran('never-reached')).toBe(false);
    expect(sleeps).toEqual([]);
  });

  it('applies failed_when and changed_when instead of the exit code', async () => {
    const { result } = await run(
      {
        steps: [
          { name: 'zypper', run: 'zypper patch', failed_when: { exit_codes_not: [0, 102] }, changed_when: { stdout: '^\\(\\d+/\\d+\\) Installing' } },
          { name: 'grep', run: 'grep-errors', failed_when: { stdout: 'ERROR' } },
        ],
      },
      [
        { contains: 'zypper patch', answers: [{ exitCode: 102, stdout: 'Loading\n(1/2) Installing: openssl-3.0.8\n' }] },
        { contains: 'grep-errors', answers: [{ exitCode: 1, stdout: 'all fine' }] },
      ],
    );
    expect(result.status).toBe('changed');
    expect(result.commands.map((c) => c.status)).toEqual(['changed', 'ok']);
  });

  it('in check mode runs `check` commands, skips steps without one, and reports the planned changes', async () => {
    const { result, transport } = await run(
      {
        steps: [
          { name: 'simulate', run: 'apt-get -y upgrade', check: 'apt-get -s upgrade' },
          { name: 'clean', run: 'apt-get autoclean' },
        ],
        reboot: 'if-needed',
        reboot_if: 'test -f /var/run/reboot-required',
      },
      [
        { contains: 'apt-get -s upgrade', answers: [{ stdout: 'Inst openssl [3.0.11-1] (3.0.11-2 Debian-Security)\nredback:plan openssl 3.0.11-1 3.0.11-2\nredback:plan libnew - 1.0\n' }] },
        { contains: 'reboot-required', answers: [{ exitCode: 0 }] },
      ],
      { checkMode: true },
    );
    expect(transport.ran('apt-get -y upgrade')).toBe(false);
    expect(transport.ran('autoclean')).toBe(false);
    expect(result.commands.map((c) => [c.name, c.status])).toEqual([['simulate', 'ok'], ['clean', 'skipped'], ['reboot needed?', 'ok']]);
    expect(result.plannedChanges).toEqual([{ name: 'openssl', before: '3.0.11-1', after: '3.0.11-2' }, { name: 'libnew', before: null, after: '1.0' }]);
    expect(result.status).toBe('changed');
    expect(result.reboot).toEqual({ policy: 'if-needed', required: true, performed: false });
    expect(transport.reboots).toBe(0);
  });

  it('measures package changes with packages_query before and after the steps', async () => {
    const { result } = await run(
      { packages_query: 'list-packages', steps: [{ name: 'upgrade', run: 'do-upgrade' }] },
      [{ contains: 'list-packages', answers: [{ stdout: 'openssl\t3.0.11-1\tamd64\topenssl\nold\t1\tall\told\n' }, { stdout: 'openssl\t3.0.11-2\tamd64\topenssl\nnew\t2\tall\tnew\n' }] }],
    );
    expect(result.status).toBe('changed');
    expect(result.packagesChanged).toEqual([
      { name: 'new', arch: 'all', before: null, after: '2' },
      { name: 'old', arch: 'all', before: '1', after: null },
      { name: 'openssl', arch: 'amd64', before: '3.0.11-1', after: '3.0.11-2' },
    ]);
    expect(result.commands.find((c) => c.phase === 'packages-before')?.stdout).toBe('2 packages\n');
  });

  it('reboots through the transport when reboot_if says so, then runs the post-checks', async () => {
    const { result, transport } = await run(
      { steps: [{ name: 'upgrade', run: 'do-upgrade' }], reboot: 'if-needed', reboot_if: 'needs-reboot', post_checks: [{ name: 'healthy', run: 'is-healthy' }] },
      [{ contains: 'needs-reboot', answers: [{ exitCode: 0 }] }],
    );
    expect(transport.reboots).toBe(1);
    expect(result.reboot).toMatchObject({ required: true, performed: true, bootTimeAfter: '2026-01-01T00:05:00Z' });
    expect(result.status).toBe('changed');
    const order = transport.executed.map((e) => e.command);
    expect(order.findIndex((c) => c.includes('is-healthy'))).toBeGreaterThan(order.findIndex((c) => c.includes('needs-reboot')));
  });

  it('reports pending-reboot when a reboot is needed and the policy is never', async () => {
    const { result, transport } = await run(
      { steps: [{ name: 'upgrade', run: 'do-upgrade' }], reboot: 'never', reboot_if: 'needs-reboot' },
      [{ contains: 'needs-reboot', answers: [{ exitCode: 0 }] }],
    );
    expect(result.status).toBe('pending-reboot');
    expect(transport.reboots).toBe(0);
  });

  it('classes a reboot that does not come back as reboot-timeout', async () => {
    const transport = new FakeTransport('web-1', [], new TransportError('reboot-timeout', 'host did not return within 15m', { hostId: 'web-1' }));
    const { result } = await run({ steps: [{ name: 'upgrade', run: 'do-upgrade' }], reboot: 'always' }, [], { transport });
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('reboot-timeout');
    expect(result.failedAt).toEqual({ phase: 'reboot', name: 'reboot' });
  });

  it('reports an unreachable host with the connection failure class', async () => {
    const transport = new FakeTransport('web-1', []);
    transport.connect = async () => {
      throw new TransportError('host-key', 'host key changed', { hostId: 'web-1' });
    };
    const { result } = await run({ steps: [{ name: 'upgrade', run: 'do-upgrade' }] }, [], { transport });
    expect(result.status).toBe('unreachable');
    expect(result.failureClass).toBe('host-key');
    expect(transport.executed).toHaveLength(0);
  });

  it('keeps the tail of a long output and counts what it left out', async () => {
    const long = `${'x'.repeat(100_000)}\nthe error at the end\n`;
    const { result } = await run({ steps: [{ name: 'noisy', run: 'noisy' }] }, [{ contains: 'noisy', answers: [{ exitCode: 1, stdout: long }] }]);
    const step = result.commands[0];
    expect(step?.stdout.endsWith('the error at the end\n')).toBe(true);
    expect(Buffer.byteLength(step?.stdout ?? '')).toBe(64 * 1024);
    expect(step?.stdoutOmittedBytes).toBe(Buffer.byteLength(long) - 64 * 1024);
  });

  it('builds a scan result from fact lines and the package list', async () => {
    const { result } = await run(
      { kind: 'scan', packages_query: 'list-packages', steps: [{ name: 'facts', run: 'facts', check: 'facts' }] },
      [
        { contains: 'list-packages', answers: [{ stdout: 'zlib1g\t1:1.2.13\tamd64\tzlib\nbash\t5.2.15-2\tamd64\tbash\n' }] },
        { contains: 'facts', answers: [{ stdout: 'redback:fact os_id debian\nredback:fact os_name Debian GNU/Linux\nredback:fact os_version 12\nredback:fact kernel 6.1.0-18-amd64\nredback:fact boot_time 2026-03-01T08:00:00Z\nredback:fact held linux-image-amd64\n' }] },
      ],
    );
    expect(result.status).toBe('ok');
    expect(result.scan).toEqual({
      scannedAt: '2026-03-12T21:00:00.000Z',
      os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
      kernel: '6.1.0-18-amd64',
      arch: null,
      bootTime: '2026-03-01T08:00:00Z',
      held: ['linux-image-amd64'],
      packages: [
        { name: 'bash', version: '5.2.15-2', arch: 'amd64', source: 'bash' },
        { name: 'zlib1g', version: '1:1.2.13', arch: 'amd64', source: 'zlib' },
      ],
    });
  });
});
