import { describe, expect, it } from 'vitest';
import { cpeCovers, csafFileName, isSafePackageName, nevraFromPurl, parseCpe, parseNevra, parsePurl } from '../../../src/advisories/index.js';

describe('purl', () => {
  it('reads a Red Hat rpm purl with arch and epoch qualifiers', () => {
    const purl = parsePurl('pkg:rpm/redhat/tomcat@9.0.87-1.el8_10.1?arch=noarch&epoch=1');
    expect(purl).toMatchObject({ type: 'rpm', namespace: 'redhat', name: 'tomcat', version: '9.0.87-1.el8_10.1', qualifiers: { arch: 'noarch', epoch: '1' } });
    expect(nevraFromPurl(purl!)).toEqual({ name: 'tomcat', epoch: 1, version: '9.0.87', release: '1.el8_10.1', arch: 'noarch' });
  });

  it('reads scoped npm names, versionless Debian source purls and Maven coordinates', () => {
    expect(parsePurl('pkg:npm/%40fastify/passport@2.3.0')).toMatchObject({ namespace: '@fastify', name: 'passport', version: '2.3.0' });
    expect(parsePurl('pkg:deb/debian/openssl?arch=source')).toMatchObject({ type: 'deb', name: 'openssl', version: undefined, qualifiers: { arch: 'source' } });
    expect(parsePurl('pkg:maven/org.keycloak/keycloak-parent')).toMatchObject({ namespace: 'org.keycloak', name: 'keycloak-parent' });
  });

  it('refuses what is not a purl', () => {
    expect(parsePurl('rpm/redhat/tomcat')).toBeUndefined();
    expect(parsePurl('pkg:rpm')).toBeUndefined();
    expect(parsePurl('pkg:rpm/redhat/%E0%A4%A')).toBeUndefined();
  });
});

describe('CPE', () => {
  it('reads the 2.2 URI binding Red Hat uses and the 2.3 formatted string', () => {
    expect(parseCpe('cpe:/a:redhat:enterprise_linux:8::appstream')).toMatchObject({ part: 'a', vendor: 'redhat', product: 'enterprise_linux', version: '8', update: '', edition: 'appstream' });
    expect(parseCpe('cpe:2.3:a:openssl:openssl:3.0.1:*:*:*:*:*:*:*')).toMatchObject({ part: 'a', vendor: 'openssl', product: 'openssl', version: '3.0.1', update: '' });
  });

  it('lets an advisory CPE with fewer fields cover a host CPE with more', () => {
    const advisory = parseCpe('cpe:/o:redhat:enterprise_linux:9')!;
    expect(cpeCovers(advisory, parseCpe('cpe:/o:redhat:enterprise_linux:9::baseos')!)).toBe(true);
    expect(cpeCovers(advisory, parseCpe('cpe:/o:redhat:enterprise_linux:8::baseos')!)).toBe(false);
  });
});

describe('NEVRA in product ids', () => {
  it('splits name, epoch, version, release and a known arch', () => {
    expect(parseNevra('telnet-server-1:0.17-65.el7_6.x86_64')).toEqual({ name: 'telnet-server', epoch: 1, version: '0.17', release: '65.el7_6', arch: 'x86_64' });
    expect(parseNevra('kernel-5.14.0-427.61.1.el9_4')).toEqual({ name: 'kernel', epoch: 0, version: '5.14.0', release: '427.61.1.el9_4', arch: undefined });
  });
});

describe('names', () => {
  it('builds the §5.1 file name from a tracking id', () => {
    expect(csafFileName('RHSA-2024:3666')).toBe('rhsa-2024_3666.json');
    expect(csafFileName('OASIS_CSAF_TC-CSAF_2.0-2021-5-1-01')).toBe('oasis_csaf_tc-csaf_2_0-2021-5-1-01.json');
  });

  it.each(['openssl', '@fastify/passport', 'org.keycloak:keycloak-parent', 'golang.org/x/net', 'libstdc++'])('accepts the package name %s', (name) => {
    expect(isSafePackageName(name)).toBe(true);
  });

  it.each(['a;b', 'a b', '$(id)', '`id`', 'a|b', 'a&b', "a'b", 'a"b', 'a>b', '-rf', '../etc', 'a\nb', ''])('refuses the package name %j', (name) => {
    expect(isSafePackageName(name)).toBe(false);
  });
});
