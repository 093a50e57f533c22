import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createHostInventoryStore, type HostInventory, type InventoryPackage } from '../../../src/store/index.js';

const redis = new Redis(inject('redisUrl'));
afterAll(async () => {
  await redis.quit();
});

const freshPrefix = (): string => `test-inventory-${randomUUID()}`;

function inventory(hostId: string, scannedAt: string, packages: InventoryPackage[]): HostInventory {
  return {
    hostId,
    scannedAt,
    os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
    kernel: '6.1.0-18-amd64',
    arch: 'amd64',
    bootTime: '2026-03-01T02:00:00Z',
    held: [],
    packages,
  };
}

const openssl = (version: string, arch = 'amd64'): InventoryPackage => ({ name: 'openssl', version, arch, source: 'openssl' });
const libssl = (version: string, arch = 'amd64'): InventoryPackage => ({ name: 'libssl3', version, arch, source: 'openssl' });
const curl = (version: string): InventoryPackage => ({ name: 'curl', version, arch: 'amd64', source: 'curl' });

describe('host inventory store (real Redis)', () => {
  it('stores a scan as the host inventory and reads it back with lastScan', async () => {
    const store = createHostInventoryStore(redis, freshPrefix());
    const scan = inventory('web-01', '2026-03-10T21:00:00.000Z', [openssl('3.0.11-1~deb12u2'), curl('7.88.1-10+deb12u5')]);
    expect(await store.save(scan)).toBe(true);
    expect(await store.lastScan('web-01')).toEqual(scan);
    expect(await store.lastScan('never-scanned')).toBeUndefined();
    expect(await store.scannedHosts()).toEqual([{ hostId: 'web-01', scannedAt: '2026-03-10T21:00:00.000Z' }]);
  });

  it('indexes package name -> hosts with each installed instance (every arch on a multiarch host)', async () => {
    const store = createHostInventoryStore(redis, freshPrefix());
    await store.save(inventory('web-02', '2026-03-10T21:00:00.000Z', [libssl('3.0.11-1~deb12u2'), libssl('3.0.11-1~deb12u2', 'i386')]));
    await store.save(inventory('web-01', '2026-03-10T21:05:00.000Z', [libssl('3.0.13-1~deb12u1'), curl('7.88.1-10+deb12u5')]));
    expect(await store.hostsWithPackage('libssl3')).toEqual([
      { hostId: 'web-01', installed: [{ version: '3.0.13-1~deb12u1', arch: 'amd64', source: 'openssl' }] },
      {
        hostId: 'web-02',
        installed: [
          { version: '3.0.11-1~deb12u2', arch: 'amd64', source: 'openssl' },
          { version: '3.0.11-1~deb12u2', arch: 'i386', source: 'openssl' },
        ],
      },
    ]);
    expect(await store.hostsWithPackage('curl')).toEqual([{ hostId: 'web-01', installed: [{ version: '7.88.1-10+deb12u5', arch: 'amd64', source: 'curl' }] }]);
    expect(await store.hostsWithPackage('nginx')).toEqual([]);
  });

  it('keeps the index consistent on re-scan: removed packages leave it, upgraded versions replace, others untouched', async () => {
    const store = createHostInventoryStore(redis, freshPrefix());
    await store.save(inventory('web-01', '2026-03-10T21:00:00.000Z', [openssl('3.0.11-1~deb12u2'), curl('7.88.1-10+deb12u5')]));
    await store.save(inventory('web-02', '2026-03-10T21:00:00.000Z', [curl('7.88.1-10+deb12u4')]));
    await store.save(inventory('web-01', '2026-03-11T21:00:00.000Z', [openssl('3.0.13-1~deb12u1'), libssl('3.0.13-1~deb12u1')]));

    expect(await store.hostsWithPackage('curl')).toEqual([{ hostId: 'web-02', installed: [{ version: '7.88.1-10+deb12u4', arch: 'amd64', source: 'curl' }] }]);
    expect(await store.hostsWithPackage('openssl')).toEqual([{ hostId: 'web-01', installed: [{ version: '3.0.13-1~deb12u1', arch: 'amd64', source: 'openssl' }] }]);
    expect((await store.hostsWithPackage('libssl3')).map((h) => h.hostId)).toEqual(['web-01']);
    expect((await store.lastScan('web-01'))?.scannedAt).toBe('2026-03-11T21:00:00.000Z');
  });

  it('ignores a scan older than the stored one (two runs finishing out of order)', async () => {
    const store = createHostInventoryStore(redis, freshPrefix());
    const newer = inventory('web-01', '2026-03-11T21:00:00.000Z', [openssl('3.0.13-1~deb12u1')]);
    await store.save(newer);
    expect(await store.save(inventory('web-01', '2026-03-10T21:00:00.000Z', [openssl('3.0.11-1~deb12u2'), curl('7.88.1-10+deb12u5')]))).toBe(false);
    expect(await store.lastScan('web-01')).toEqual(newer);
    expect(await store.hostsWithPackage('curl')).toEqual([]);
  });

  it('a reader never sees a host half re-scanned: record and index agree in every snapshot while scans alternate', async () => {
    const prefix = freshPrefix();
    const store = createHostInventoryStore(redis, prefix);
    const reader = new Redis(inject('redisUrl'));
    try {
      // Scan i has either the package set A (a-0..a-49) or B (b-0..b-49), never a mix.
      const packagesOf = (i: number): InventoryPackage[] =>
        Array.from({ length: 50 }, (_, n) => ({ name: `${i % 2 === 0 ? 'a' : 'b'}-${n}`, version: `1.${i}`, arch: 'amd64', source: '' }));
      const scanAt = (i: number): string => new Date(Date.UTC(2026, 2, 10, 0, 0, i)).toISOString();
      await store.save(inventory('web-01', scanAt(0), packagesOf(0)));
      const writes = (async () => {
        for (let i = 1; i <= 60; i++) await store.save(inventory('web-01', scanAt(i), packagesOf(i)));
      })();
      const snapshots: Array<[unknown, unknown, unknown, unknown]> = [];
      const reads = (async () => {
        for (let i = 0; i < 120; i++) {
          const replies = await reader
            .multi()
            .get(`${prefix}:inventory:host:web-01`)
            .hget(`${prefix}:inventory:package:a-0`, 'web-01')
            .hget(`${prefix}:inventory:package:b-49`, 'web-01')
            .hget(`${prefix}:inventory:package:a-49`, 'web-01')
            .exec();
          snapshots.push((replies ?? []).map(([, value]) => value) as [unknown, unknown, unknown, unknown]);
        }
      })();
      await Promise.all([writes, reads]);
      // The reads really interleaved with the writes: they saw scans of both package sets.
      expect(new Set(snapshots.map(([record]) => (JSON.parse(record as string) as HostInventory).packages[0]?.name[0])).size).toBe(2);
      for (const [record, a0, b49, a49] of snapshots) {
        const stored = JSON.parse(record as string) as HostInventory;
        const version = (stored.packages[0] as InventoryPackage).version;
        const setA = stored.packages[0]?.name.startsWith('a-') === true;
        const expectedInstance = JSON.stringify([{ version, arch: 'amd64', source: '' }]);
        expect(setA ? [a0, a49, b49] : [b49, a0, a49]).toEqual([expectedInstance, setA ? expectedInstance : null, null]);
      }
      expect((await store.lastScan('web-01'))?.scannedAt).toBe(scanAt(60));
      expect((await store.hostsWithPackage('a-7')).map((h) => h.hostId)).toEqual(['web-01']);
      expect(await store.hostsWithPackage('b-7')).toEqual([]);
    } finally {
      await reader.quit();
    }
  });
});
