import { describe, expect, it } from 'vitest';
import { type Advisory, type Finding, parseCsaf } from '../../../src/advisories/index.js';
import { fixtureFiles, readFixture } from './fixtures.js';

const parse = (file: string): Advisory => parseCsaf(readFixture('csaf', file), { fileName: file });
const countBy = (findings: Finding[], key: (f: Finding) => string) =>
  findings.reduce<Record<string, number>>((counts, f) => ({ ...counts, [key(f)]: (counts[key(f)] ?? 0) + 1 }), {});

describe('every real CSAF document in the fixtures', () => {
  const files = fixtureFiles('csaf');

  it('is all 14 of them', () => {
    expect(files).toHaveLength(14);
  });

  it.each(files)('%s parses, with its identity and revision', (file) => {
    const advisory = parse(file);
    expect(advisory.format).toBe('csaf');
    expect(advisory.identity.publisher).toMatch(/^https:\/\//);
    expect(advisory.identity.trackingId).not.toBe('');
    expect(advisory.revision.version).toMatch(/^\d/);
  });
});

describe('Red Hat RHSA-2024:3666 (tomcat, RHEL 8 AppStream)', () => {
  const advisory = parse('redhat-rhsa-2024_3666.json');

  it('has the publisher + tracking id identity and 18 fixed statements', () => {
    expect(advisory.identity).toEqual({ publisher: 'https://www.redhat.com', trackingId: 'RHSA-2024:3666' });
    expect(countBy(advisory.findings, (f) => f.status)).toEqual({ fixed: 18 });
  });

  it('resolves the composite product id through its relationship to the platform CPE and the package NEVRA', () => {
    const finding = advisory.findings.find((f) => f.product.productId === 'AppStream-8.10.0.Z.MAIN.EUS:tomcat-1:9.0.87-1.el8_10.1.noarch');
    expect(finding).toBeDefined();
    const relationship = finding?.product.relationship;
    expect(relationship?.category).toBe('default_component_of');
    expect(relationship?.platform.cpe).toBe('cpe:/a:redhat:enterprise_linux:8::appstream');
    expect(relationship?.platform.path.map((step) => step.category)).toEqual(['vendor', 'product_family', 'product_name']);
    expect(relationship?.component.nevra).toEqual({ name: 'tomcat', epoch: 1, version: '9.0.87', release: '1.el8_10.1', arch: 'noarch' });
    expect(relationship?.component.path.map((step) => step.category)).toEqual(['vendor', 'architecture', 'product_version']);
  });

  it('attaches the vendor fix with its errata URL and restart requirement, and the not-really-a-workaround', () => {
    const finding = advisory.findings[0] as Finding;
    const fix = finding.remediations.find((r) => r.category === 'vendor_fix');
    expect(fix?.url).toBe('https://access.redhat.com/errata/RHSA-2024:3666');
    expect(fix?.restartRequired).toBe('none');
    expect(finding.remediations.map((r) => r.category)).toContain('workaround');
  });

  it('keeps CVSS base scores per product and the impact threat', () => {
    const vulnerability = advisory.vulnerabilities[0];
    expect(vulnerability?.cvss[0]).toMatchObject({ version: '3.1', baseScore: 7.5, baseSeverity: 'HIGH' });
    expect(vulnerability?.threats.some((t) => t.category === 'impact')).toBe(true);
  });
});

describe('the 3.2 MB kernel RHSA-2025:3215', () => {
  const advisory = parse('LARGE-redhat-rhsa-2025_3215.json');

  it('has 11 CVEs, 9,515 fixed and 220 known_not_affected statements', () => {
    expect(advisory.cves).toHaveLength(11);
    expect(countBy(advisory.findings, (f) => f.statusDetail)).toEqual({ fixed: 9515, known_not_affected: 220 });
  });

  it('requires a machine restart for the vendor fix', () => {
    const restart = advisory.findings.flatMap((f) => f.remediations).find((r) => r.category === 'vendor_fix')?.restartRequired;
    expect(restart).toBe('machine');
  });
});

describe('documents without purls', () => {
  it('reads the NEVRA of old Red Hat documents from the product_version under an architecture branch', () => {
    const advisory = parse('oasis-example-rhsa-2022_0011.json');
    const telnet = advisory.findings.find((f) => f.product.relationship?.component.productId === 'telnet-1:0.17-65.el7_6.x86_64');
    expect(telnet?.product.relationship?.component.nevra).toEqual({ name: 'telnet', epoch: 1, version: '0.17', release: '65.el7_6', arch: 'x86_64' });
    expect(telnet?.product.relationship?.platform.cpe).toBe('cpe:/o:redhat:rhel_aus:7.6::server');
  });

  it('keeps product ids with spaces whole (Red Hat VEX) and tolerates its 6.1.16 version quirk as a warning', () => {
    const advisory = parse('redhat-vex-cve-2023-0044.json');
    expect(advisory.findings.some((f) => f.product.productId.includes(' '))).toBe(true);
    expect(advisory.warnings).toEqual([expect.objectContaining({ test: '6.1.16', path: '$.document.tracking.version' })]);
    const affected = advisory.findings.filter((f) => f.status === 'affected');
    expect(affected.length).toBeGreaterThan(0);
    expect(affected.every((f) => f.remediations.some((r) => r.category === 'none_available'))).toBe(true);
    const notAffected = advisory.findings.filter((f) => f.status === 'not_affected');
    expect(notAffected.every((f) => f.justifications.includes('vulnerable_code_not_present'))).toBe(true);
  });
});

describe('version ranges in real documents', () => {
  it('parses Siemens vers:all ranges, the invalid vers:all/<V3.1.4 included, and keeps model numbers', () => {
    const advisory = parse('siemens-ssa-054046.json');
    expect(advisory.revision.status).toBe('interim');
    const ranges = advisory.findings.map((f) => f.product.range).filter((r) => r !== undefined);
    expect(ranges.length).toBeGreaterThan(100);
    expect(ranges.every((r) => r.kind !== 'unparsed')).toBe(true);
    expect(ranges.filter((r) => r.kind === 'all').length).toBeGreaterThan(0);
    expect(advisory.findings.some((f) => f.product.modelNumbers.length > 0)).toBe(true);
  });

  it('parses the CISA vls ranges it can and leaves the prose one unparsed (so it goes to review)', () => {
    const advisory = parse('cisa-icsa-17-117-01b.json');
    const byText = new Map(advisory.findings.flatMap((f) => (f.product.range === undefined ? [] : [[f.product.range.text, f.product.range.kind]])));
    expect(byText.get('< 2.30')).toBe('constraints');
    expect(byText.get('>= 6.02 | <= 6.05')).toBe('constraints');
    expect(byText.get('< 03A02')).toBe('unparsed');
  });

  it('reads "all versions" as every version', () => {
    const advisory = parse('cisa-va-24-201-01.json');
    expect(advisory.findings.some((f) => f.product.range?.kind === 'all')).toBe(true);
  });
});

describe('product groups', () => {
  it('expands group ids in remediations to the products of the group', () => {
    const advisory = parse('oasis-example-cisco-sa-20180328-smi2.json');
    expect(advisory.identity.trackingId).toBe('cisco-sa-20180328-smi2');
    expect(advisory.revision.version).toBe('3.0.0');
    expect(advisory.findings).toHaveLength(259);
    expect(advisory.findings.every((f) => f.remediations.length > 0)).toBe(true);
  });
});
