import { describe, expect, it } from 'vitest';
import { hostFromScan, indexInventory, matchAdvisory, parseCsaf, parseOsv } from '../../../src/advisories/index.js';
import type { HostInventory as ScannedInventory } from '../../../src/store/index.js';
import { readFixture } from './fixtures.js';

function scan(hostId: string, os: { id: string; version: string }, packages: ScannedInventory['packages']): ScannedInventory {
  return { hostId, scannedAt: '2026-01-01T00:00:00Z', os: { ...os, name: null }, kernel: null, arch: 'x86_64', bootTime: null, held: [], packages };
}

describe('from a stored scan to the matcher', () => {
  it('Debian: OSV ecosystem from the release, source name from the scan, binNMU suffix dropped for the source version', () => {
    const host = hostFromScan(scan('deb9', { id: 'debian', version: '9' }, [{ name: 'libssl1.1', version: '1.1.0l-1~deb9u5+b1', arch: 'amd64', source: 'openssl' }]));
    expect(host).toMatchObject({ packageFormat: 'deb', osvEcosystem: 'Debian:9', packages: [{ name: 'libssl1.1', sourceName: 'openssl', sourceVersion: '1.1.0l-1~deb9u5' }] });
    const result = matchAdvisory(parseOsv(readFixture('osv', 'DLA-3008-1.json')), indexInventory(host === undefined ? [] : [host]));
    expect(result.remediation).toEqual([{ packageName: 'libssl1.1', arch: 'amd64', fixedVersion: '1.1.0l-1~deb9u6', hostIds: ['deb9'] }]);
  });

  it('Ubuntu: LTS releases get the :LTS suffix OSV uses', () => {
    expect(hostFromScan(scan('u', { id: 'ubuntu', version: '22.04' }, []))?.osvEcosystem).toBe('Ubuntu:22.04:LTS');
    expect(hostFromScan(scan('u', { id: 'ubuntu', version: '23.10' }, []))?.osvEcosystem).toBe('Ubuntu:23.10');
  });

  it('RHEL: BaseOS and AppStream CPEs of the major release by default, the source RPM name from its file name', () => {
    const host = hostFromScan(scan('rhel8', { id: 'rhel', version: '8.10' }, [{ name: 'tomcat', version: '1:9.0.87-1.el8_10', arch: 'noarch', source: 'tomcat-9.0.87-1.el8_10.src.rpm' }]));
    expect(host?.platformCpes).toEqual(['cpe:/o:redhat:enterprise_linux:8::baseos', 'cpe:/a:redhat:enterprise_linux:8::appstream']);
    expect(host?.packages[0]?.sourceName).toBe('tomcat');
    const result = matchAdvisory(parseCsaf(readFixture('csaf', 'redhat-rhsa-2024_3666.json')), indexInventory(host === undefined ? [] : [host]));
    expect(result.affected.map((e) => [e.hostId, e.packageName, e.fixedVersion])).toEqual([['rhel8', 'tomcat', '1:9.0.87-1.el8_10.1']]);
  });

  it('takes explicit platform CPEs for streams os-release does not show', () => {
    const host = hostFromScan(scan('eus', { id: 'rhel', version: '9.4' }, []), { platformCpes: ['cpe:/a:redhat:rhel_eus:9.4::appstream'] });
    expect(host?.platformCpes).toEqual(['cpe:/a:redhat:rhel_eus:9.4::appstream']);
  });

  it('leaves Windows hosts out of OS package matching', () => {
    expect(hostFromScan(scan('win', { id: 'windows', version: '10.0.20348' }, []))).toBeUndefined();
  });
});
