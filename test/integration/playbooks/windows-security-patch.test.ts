import { afterEach, describe, expect, it } from 'vitest';
import { HRESULT_INSTALL_FAILURE, type SimulatedUpdate, type SimulatedWindowsHostOptions } from '../../support/winrm-server/windows-update-agent.js';
import { commandNamed, startWindowsPlaybookHost, type WindowsPlaybookHost } from './windows-host.js';

/**
 * The shipped windows-security-patch playbook, unmodified, through the project's WinRS client against the WinRM
 * test server, whose simulated Windows Update Agent answers in the exact shape the playbook's script prints.
 */
const CUMULATIVE: SimulatedUpdate = { kb: 'KB5034129', title: '2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)', categories: ['security'], rebootRequired: true };
const DOTNET: SimulatedUpdate = { kb: 'KB5033909', title: '2024-01 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Microsoft server operating system version 21H2 for x64 (KB5033909)', categories: ['security'] };
const DEFENDER: SimulatedUpdate = { kb: 'KB2267602', title: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.403.3220.0)', categories: ['updates'] };
const INTERACTIVE: SimulatedUpdate = { kb: 'KB5034439', title: 'Windows Recovery Environment update for Windows Server 2022 (KB5034439)', categories: ['security'], canRequestUserInput: true };

let host: WindowsPlaybookHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function windowsHost(options: SimulatedWindowsHostOptions): Promise<WindowsPlaybookHost> {
  host = await startWindowsPlaybookHost(options);
  return host;
}

describe('windows-security-patch over WinRM', () => {
  it('check mode lists the planned security KBs (not other categories, user-input updates as skipped) and installs nothing', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE, DOTNET, DEFENDER, INTERACTIVE] });
    const result = await win.run('windows-security-patch', { checkMode: true });
    expect(result.status).toBe('changed');
    expect(result.plannedChanges).toEqual([
      { name: 'KB5034129', before: null, after: 'planned' },
      { name: 'KB5033909', before: null, after: 'planned' },
    ]);
    expect(result.packagesChanged).toEqual([]);
    expect(result.windowsUpdates?.map((u) => [u.kb, u.result, u.reason])).toEqual([
      ['KB5034129', 'planned', undefined],
      ['KB5033909', 'planned', undefined],
      ['KB5034439', 'skipped', 'the update asks for user input'],
    ]);
    expect(commandNamed(result, 'install security updates').stdout).toContain('planned KB5034129 2024-01 Cumulative Update');
    expect(result.reboot).toEqual({ policy: 'if-needed', required: false, performed: false });
    expect(win.windows.wuaRuns).toEqual([{ checkMode: true, onlyKbs: [], installed: [] }]);
    expect(win.windows.pending.map((u) => u.kb)).toEqual(['KB5034129', 'KB5033909', 'KB2267602', 'KB5034439']);
    expect(win.server.reboots).toBe(0);
  });

  it('a real run installs them, reports changed with the installed KBs, and needs no reboot when none asks for one', async () => {
    const win = await windowsHost({ updates: [DOTNET, DEFENDER] });
    const result = await win.run('windows-security-patch');
    expect(result.status, result.message ?? '').toBe('changed');
    expect(result.failureClass).toBeNull();
    expect(result.packagesChanged).toEqual([{ name: 'KB5033909', before: null, after: 'installed' }]);
    expect(result.windowsUpdates).toEqual([{ kb: 'KB5033909', title: DOTNET.title, result: 'succeeded', hresult: 0, rebootRequired: false }]);
    const step = commandNamed(result, 'install security updates');
    expect(step).toMatchObject({ status: 'changed', exitCode: 0, changed: true });
    expect(result.reboot).toEqual({ policy: 'if-needed', required: false, performed: false });
    expect(result.commands.map((c) => `${c.phase}:${c.status}`)).toEqual(['pre-check:ok', 'pre-check:ok', 'step:changed', 'reboot-check:ok', 'post-check:ok']);
    expect(win.windows.pending.map((u) => u.kb)).toEqual(['KB2267602']);
    expect(win.server.reboots).toBe(0);
  });

  it('reboot required: reboots through the transport, waits for the new boot time, then runs the post-checks', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE, DOTNET] });
    const bootBefore = win.server.bootTime.toISOString();
    const result = await win.run('windows-security-patch');
    expect(result.status, result.message ?? '').toBe('changed');
    expect(result.packagesChanged.map((c) => c.name)).toEqual(['KB5034129', 'KB5033909']);
    expect(result.windowsUpdates?.find((u) => u.kb === 'KB5034129')?.rebootRequired).toBe(true);
    expect(commandNamed(result, 'install security updates').stdout).toContain('"rebootRequired":true}');
    expect(win.server.reboots).toBe(1);
    expect(result.reboot).toMatchObject({ policy: 'if-needed', required: true, performed: true, bootTimeBefore: bootBefore, bootTimeAfter: win.server.bootTime.toISOString() });
    expect(result.reboot.bootTimeAfter).not.toBe(bootBefore);
    expect(win.server.requests.some((r) => /Restart-Computer -Force/.test(r.powershell ?? ''))).toBe(true);
    // The post-check ran after the restart and sees nothing pending any more.
    expect(result.commands.map((c) => c.phase)).toEqual(['pre-check', 'pre-check', 'step', 'reboot-check', 'reboot', 'post-check']);
    expect(commandNamed(result, 'Windows Update Agent answers').stdout).toBe('reboot required: False\r\n');
    expect(win.windows.rebootPending).toBe(false);
  }, 60_000);

  it('reboot: never leaves the host pending-reboot without restarting it', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE] });
    const result = await win.run('windows-security-patch', { override: { reboot: 'never' } });
    expect(result.status).toBe('pending-reboot');
    expect(result.failureClass).toBeNull();
    expect(result.reboot).toEqual({ policy: 'never', required: true, performed: false });
    expect(result.packagesChanged).toEqual([{ name: 'KB5034129', before: null, after: 'installed' }]);
    expect(win.server.reboots).toBe(0);
    expect(win.windows.rebootPending).toBe(true);
    expect(commandNamed(result, 'Windows Update Agent answers').stdout).toBe('reboot required: True\r\n');
  });

  it('a failed update fails the run (step-failed) with the output, keeps what did install, and never reboots', async () => {
    const failing: SimulatedUpdate = { ...DOTNET, installResult: 'failed' };
    const win = await windowsHost({ updates: [CUMULATIVE, failing] });
    const result = await win.run('windows-security-patch');
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('step-failed');
    expect(result.failedAt).toEqual({ phase: 'step', name: 'install security updates' });
    expect(result.message).toMatch(/^step "install security updates" failed with exit code 1: redback:wua /);
    const step = commandNamed(result, 'install security updates');
    expect(step).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(step.stdout).toContain(`failed KB5033909 ${DOTNET.title}\r\n`);
    expect(step.stdout).toContain(`"kb":"KB5033909","title":"${DOTNET.title}","result":"failed","hresult":${HRESULT_INSTALL_FAILURE},"rebootRequired":false`);
    expect(result.windowsUpdates?.map((u) => [u.kb, u.result, u.hresult])).toEqual([
      ['KB5034129', 'succeeded', 0],
      ['KB5033909', 'failed', HRESULT_INSTALL_FAILURE],
    ]);
    expect(result.packagesChanged).toEqual([{ name: 'KB5034129', before: null, after: 'installed' }]);
    // The record says a reboot is pending, but a failed run is never rebooted and post-checks do not run.
    expect(result.reboot).toEqual({ policy: 'if-needed', required: true, performed: false });
    expect(win.server.reboots).toBe(0);
    expect(result.commands.some((c) => c.phase === 'post-check')).toBe(false);
  });

  it('no updates: ok, nothing installed, no reboot', async () => {
    const win = await windowsHost({ updates: [DEFENDER] });
    const result = await win.run('windows-security-patch');
    expect(result.status, result.message ?? '').toBe('ok');
    expect(result.packagesChanged).toEqual([]);
    expect(result.windowsUpdates).toEqual([]);
    expect(commandNamed(result, 'install security updates')).toMatchObject({ status: 'ok', exitCode: 0, stdout: 'redback:wua {"mode":"install","searched":1,"updates":[],"rebootRequired":false}\r\n' });
    expect(result.reboot).toEqual({ policy: 'if-needed', required: false, performed: false });
    expect(win.server.reboots).toBe(0);
  });

  it('given KBs: installs only those, whatever their category', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE, DOTNET, DEFENDER] });
    const result = await win.run('windows-security-patch', { params: { packages: 'KB2267602' } });
    expect(result.status, result.message ?? '').toBe('changed');
    expect(result.packagesChanged).toEqual([{ name: 'KB2267602', before: null, after: 'installed' }]);
    expect(win.windows.wuaRuns).toEqual([{ checkMode: false, onlyKbs: ['KB2267602'], installed: ['KB2267602'] }]);
    expect(win.windows.pending.map((u) => u.kb)).toEqual(['KB5034129', 'KB5033909']);
  });

  it('a failed pre-check (low disk) stops the run before Windows Update is asked anything', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE], freeGiB: 2.5 });
    const result = await win.run('windows-security-patch');
    expect(result.status).toBe('failed');
    expect(result.failureClass).toBe('step-failed');
    expect(result.failedAt).toEqual({ phase: 'pre-check', name: 'at least 4 GiB free on the system drive' });
    expect(result.message).toContain('need at least 4 GiB free on C:');
    expect(win.windows.wuaRuns).toEqual([]);
    expect(win.server.requests.some((r) => /Microsoft\.Update\.Session/.test(r.powershell ?? ''))).toBe(false);
  });

  it('refuses a package parameter that is not a KB id before connecting', async () => {
    const win = await windowsHost({ updates: [CUMULATIVE] });
    await expect(win.run('windows-security-patch', { params: { packages: "KB5034129'; Remove-Item C:\\ -Recurse; '" } })).rejects.toThrow(/params\.packages\[0\]\.name: expected a windows package name: a Knowledge Base article number/);
    expect(win.server.requests).toHaveLength(0);
  });
});
