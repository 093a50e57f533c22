import { describe, expect, it } from 'vitest';
import { type HostInventory, indexInventory, matchAdvisory, parseCsaf, parseOsv } from '../../../src/advisories/index.js';
import { readFixture } from './fixtures.js';

const rhel8 = (hostId: string, tomcat: string, platformCpes?: string[]): HostInventory => ({
  hostId,
  packageFormat: 'rpm',
  ...(platformCpes === undefined ? {} : { platformCpes }),
  packages: [
    { name: 'tomcat', version: tomcat, arch: 'noarch' },
    { name: 'bash', version: '4.4.20-5.el8', arch: 'x86_64' },
  ],
});
const APPSTREAM_8 = ['cpe:/o:redhat:enterprise_linux:8::baseos', 'cpe:/a:redhat:enterprise_linux:8::appstream'];

describe('matching a Red Hat RHSA (fixed NEVRAs per platform)', () => {
  const advisory = parseCsaf(readFixture('csaf', 'redhat-rhsa-2024_3666.json'));
  const index = indexInventory([
    rhel8('old', '1:9.0.87-1.el8_10', APPSTREAM_8),
    rhel8('patched', '1:9.0.87-1.el8_10.1', APPSTREAM_8),
    rhel8('rhel9', '1:9.0.80-1.el9', ['cpe:/a:redhat:enterprise_linux:9::appstream']),
    rhel8('no-cpe', '1:9.0.87-1.el8_10'),
    { hostId: 'debian', packageFormat: 'deb', osvEcosystem: 'Debian:12', packages: [{ name: 'tomcat', version: '9.0.70-2' }] },
  ]);
  const result = matchAdvisory(advisory, index);

  it('exposes the host below the fixed EVR on the same stream, with installed and fixed versions', () => {
    expect(result.affected).toEqual([
      { hostId: 'old', packageName: 'tomcat', arch: 'noarch', installedVersion: '1:9.0.87-1.el8_10', fixedVersion: '1:9.0.87-1.el8_10.1', vulnerabilityIds: advisory.cves },
    ]);
  });

  it('leaves the patched host, the other stream and the Debian host alone, and sends the host without a platform CPE to review', () => {
    expect(result.needsReview.map((r) => [r.hostId, r.packageName, r.reason])).toEqual([['no-cpe', 'tomcat', 'the host inventory has no platform CPE, so the stream cannot be compared']]);
  });

  it('remediates with exactly the affected package and version on exactly the exposed hosts', () => {
    expect(result.remediation).toEqual([{ packageName: 'tomcat', arch: 'noarch', fixedVersion: '1:9.0.87-1.el8_10.1', hostIds: ['old'] }]);
  });
});

describe('matching a Debian OSV record (source packages)', () => {
  const advisory = parseOsv(readFixture('osv', 'DLA-3008-1.json'));
  const debian9 = (hostId: string, version: string, sourceVersion: string, osvEcosystem = 'Debian:9'): HostInventory => ({
    hostId,
    packageFormat: 'deb',
    osvEcosystem,
    packages: [{ name: 'libssl1.1', version, arch: 'amd64', sourceName: 'openssl', sourceVersion }],
  });
  const result = matchAdvisory(
    advisory,
    indexInventory([
      debian9('old', '1.1.0l-1~deb9u5', '1.1.0l-1~deb9u5'),
      debian9('binnmu', '1.1.0l-1~deb9u5+b1', '1.1.0l-1~deb9u5'),
      debian9('fixed', '1.1.0l-1~deb9u6', '1.1.0l-1~deb9u6'),
      debian9('buster', '1.1.1n-0+deb10u3', '1.1.1n-0+deb10u3', 'Debian:10'),
    ]),
  );

  it('finds binary packages through their source package and compares the source version', () => {
    expect(result.affected.map((e) => [e.hostId, e.packageName, e.installedVersion, e.fixedVersion])).toEqual([
      ['old', 'libssl1.1', '1.1.0l-1~deb9u5', '1.1.0l-1~deb9u6'],
      ['binnmu', 'libssl1.1', '1.1.0l-1~deb9u5', '1.1.0l-1~deb9u6'],
    ]);
    expect(result.affected[0]?.vulnerabilityIds).toEqual(['DLA-3008-1']);
    expect(result.needsReview).toEqual([]);
  });

  it('routes an installed version dpkg cannot read to review instead of calling it safe', () => {
    const odd = matchAdvisory(advisory, indexInventory([debian9('odd', 'garbage', 'garbage')]));
    expect(odd.affected).toEqual([]);
    expect(odd.needsReview[0]).toMatchObject({ hostId: 'odd', packageName: 'libssl1.1' });
    expect(odd.needsReview[0]?.reason).toContain('"garbage" is not a valid deb version');
  });
});

describe('documents without machine identifiers', () => {
  it('lists affected ICS products for review at advisory level, never as not affected', () => {
    const advisory = parseCsaf(readFixture('csaf', 'cisa-icsa-17-117-01b.json'));
    const result = matchAdvisory(advisory, indexInventory([rhel8('any', '1:9.0.87-1.el8_10', APPSTREAM_8)]));
    expect(result.affected).toEqual([]);
    expect(result.needsReview.length).toBeGreaterThan(0);
    expect(result.needsReview.every((r) => r.hostId === undefined && r.reason.includes('no package identifier'))).toBe(true);
  });
});

describe('the inventory index', () => {
  it('indexes by binary name and by source name', () => {
    const index = indexInventory([{ hostId: 'h', packageFormat: 'deb', packages: [{ name: 'libssl3', version: '3.0.19-1~deb12u2', sourceName: 'openssl' }] }]);
    expect(index.byName.get('libssl3')?.map((e) => e.host.hostId)).toEqual(['h']);
    expect(index.bySourceName.get('openssl')?.map((e) => e.pkg.name)).toEqual(['libssl3']);
    expect(index.byName.has('openssl')).toBe(false);
  });
});
