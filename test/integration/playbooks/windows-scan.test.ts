import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { createHostInventoryStore } from '../../../src/store/index.js';
import { startWindowsPlaybookHost, type WindowsPlaybookHost } from './windows-host.js';

let host: WindowsPlaybookHost | undefined;
const redis = new Redis(inject('redisUrl'));
afterEach(async () => {
  await host?.close();
  host = undefined;
});
afterAll(async () => {
  await redis.quit();
});

const PROGRAMS = [
  { name: '7-Zip 23.01 (x64)', version: '23.01', publisher: 'Igor Pavlov' },
  { name: 'Microsoft Edge', version: '121.0.2277.83', publisher: 'Microsoft Corporation' },
];

describe('windows-scan over WinRM', () => {
  it('reports the OS facts, installed updates as hotfix packages and programs with versions, and stores them as the inventory', async () => {
    host = await startWindowsPlaybookHost({
      hotfixes: [
        { kb: 'KB5034129', installedOn: '2024-01-10' },
        { kb: 'KB5012170', installedOn: '2022-08-10' },
      ],
      programs: PROGRAMS,
    });
    const result = await host.run('windows-scan');
    expect(result.status, result.message ?? '').toBe('ok');
    expect(result.scan).toMatchObject({
      os: { id: 'windows', name: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348' },
      kernel: '10.0.20348.2227',
      arch: '64-bit',
      bootTime: host.server.bootTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      held: [],
      packages: [
        { name: '7-Zip 23.01 (x64)', version: '23.01', arch: '', source: 'Igor Pavlov' },
        { name: 'KB5012170', version: '2022-08-10', arch: '', source: 'hotfix' },
        { name: 'KB5034129', version: '2024-01-10', arch: '', source: 'hotfix' },
        { name: 'Microsoft Edge', version: '121.0.2277.83', arch: '', source: 'Microsoft Corporation' },
      ],
    });
    // Read-only: nothing was installed, nothing rebooted.
    expect(result.packagesChanged).toEqual([]);
    expect(host.server.reboots).toBe(0);

    const store = createHostInventoryStore(redis, `test-win-scan-${randomUUID()}`);
    await store.save({ hostId: result.hostId, ...(result.scan as NonNullable<typeof result.scan>) });
    expect((await store.lastScan('win-01'))?.packages).toHaveLength(4);
    expect(await store.hostsWithPackage('KB5034129')).toEqual([{ hostId: 'win-01', installed: [{ version: '2024-01-10', arch: '', source: 'hotfix' }] }]);
  });

  it('after a security patch the next scan lists the newly installed KB', async () => {
    host = await startWindowsPlaybookHost({
      hotfixes: [{ kb: 'KB5012170', installedOn: '2022-08-10' }],
      updates: [{ kb: 'KB5033909', title: '2024-01 Cumulative Update for .NET Framework (KB5033909)', categories: ['security'] }],
      today: '2026-03-11',
    });
    const before = await host.run('windows-scan');
    expect(before.scan?.packages.map((p) => p.name)).toEqual(['KB5012170']);
    expect((await host.run('windows-security-patch')).status).toBe('changed');
    const after = await host.run('windows-scan');
    expect(after.scan?.packages).toEqual([
      { name: 'KB5012170', version: '2022-08-10', arch: '', source: 'hotfix' },
      { name: 'KB5033909', version: '2026-03-11', arch: '', source: 'hotfix' },
    ]);
  });
});
