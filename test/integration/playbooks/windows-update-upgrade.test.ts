import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedUpdate } from '../../support/winrm-server/windows-update-agent.js';
import { startWindowsPlaybookHost, type WindowsPlaybookHost } from './windows-host.js';

const SECURITY: SimulatedUpdate = { kb: 'KB5034129', title: '2024-01 Cumulative Update (KB5034129)', categories: ['security'] };
const DEFENDER: SimulatedUpdate = { kb: 'KB2267602', title: 'Security Intelligence Update for Microsoft Defender Antivirus - KB2267602', categories: ['updates'] };
const FEATURE: SimulatedUpdate = { kb: 'KB5031455', title: 'Feature update to Windows 11, version 23H2 (KB5031455)', categories: ['upgrades'], rebootRequired: true };

let host: WindowsPlaybookHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe('windows-update and windows-upgrade over WinRM', () => {
  it('windows-update plans every pending update except feature upgrades', async () => {
    host = await startWindowsPlaybookHost({ updates: [SECURITY, DEFENDER, FEATURE] });
    const result = await host.run('windows-update', { checkMode: true });
    expect(result.status).toBe('changed');
    expect(result.plannedChanges.map((c) => c.name)).toEqual(['KB5034129', 'KB2267602']);
    expect(host.windows.pending).toHaveLength(3);
  });

  it('windows-upgrade installs feature upgrades too, and reboots for them', async () => {
    host = await startWindowsPlaybookHost({ updates: [SECURITY, FEATURE] });
    const result = await host.run('windows-upgrade');
    expect(result.status, result.message ?? '').toBe('changed');
    expect(result.packagesChanged.map((c) => c.name)).toEqual(['KB5034129', 'KB5031455']);
    expect(result.reboot).toMatchObject({ required: true, performed: true });
    expect(host.server.reboots).toBe(1);
  }, 60_000);
});
