import { describe, expect, it } from 'vitest';
import { type Advisory, type Finding, osvFindingContains, parseOsv } from '../../../src/advisories/index.js';
import { fixtureFiles, readFixture } from './fixtures.js';

const parse = (file: string): Advisory => parseOsv(readFixture('osv', file), { source: file });
const contains = (finding: Finding | undefined, version: string) => {
  if (finding === undefined) throw new Error('no finding');
  return osvFindingContains(finding, version).verdict;
};

describe('every real OSV record in the fixtures', () => {
  const files = fixtureFiles('osv');

  it('is all 10 of them', () => {
    expect(files).toHaveLength(10);
  });

  it.each(files)('%s parses with at least one affected entry', (file) => {
    const advisory = parse(file);
    expect(advisory.format).toBe('osv');
    expect(advisory.identity.trackingId).toBe(file.replace(/\.json$/, ''));
    expect(advisory.findings.length).toBeGreaterThan(0);
  });
});

describe('CVE identity for the KEV join', () => {
  it('takes CVEs from upstream for distribution records, from aliases for GHSA, and never from related', () => {
    expect(parse('DLA-3008-1.json').cves).toEqual(['CVE-2022-1292']);
    expect(parse('DLA-3051-1.json').cves).toEqual([]);
    expect(parse('DSA-3029-1.json').cves).toEqual(['CVE-2014-3616']);
    expect(parse('RUSTSEC-2021-0079.json').cves).toEqual(['CVE-2021-32714']);
    const openssl = parse('CVE-2025-11187.json');
    expect(openssl.cves).toEqual(['CVE-2025-11187']);
    expect(openssl.aliases).toEqual([]);
  });
});

describe('range evaluation with the ecosystem ordering', () => {
  it('Debian: below the fixed source version is affected, at or above it is not', () => {
    const finding = parse('DLA-3008-1.json').findings[0];
    expect(finding?.ecosystem).toBe('Debian:9');
    expect(finding?.product.name).toBe('openssl');
    expect(contains(finding, '1.1.0l-1~deb9u5')).toBe('in-range');
    expect(contains(finding, '1.1.0l-1~deb9u6')).toBe('out-of-range');
    expect(contains(finding, '1.1.0l-1')).toBe('out-of-range');
  });

  it('npm: two affected entries with separate ranges', () => {
    const [first, second] = parse('GHSA-2ccf-ffrj-m4qw.json').findings;
    expect(contains(first, '1.0.9')).toBe('in-range');
    expect(contains(first, '1.1.0')).toBe('out-of-range');
    expect(contains(second, '2.2.5')).toBe('in-range');
    expect(contains(second, '2.3.0')).toBe('out-of-range');
    expect(contains(second, '1.5.0')).toBe('out-of-range');
  });

  it('SEMVER: introduced 0.0.0-0 covers every release below the fix', () => {
    const finding = parse('RUSTSEC-2021-0079.json').findings[0];
    expect(contains(finding, '0.1.0')).toBe('in-range');
    expect(contains(finding, '0.14.10')).toBe('out-of-range');
  });

  it('Maven has no verified ordering: range needs review, but an enumerated version is affected', () => {
    const findings = parse('GHSA-458h-wv48-fq75.json').findings;
    expect(findings[0]?.ranges[0]?.events).toContainEqual({ last_affected: '3.4.3.Final' });
    expect(contains(findings[0], '3.4.3.Final')).toBe('in-range');
    expect(contains(findings[0], '99.0.0')).toBe('needs-review');
    expect(findings[2]?.ranges).toEqual([]);
    expect(findings[2]?.versions).toHaveLength(1);
  });

  it('GIT ranges cannot be compared with installed versions: needs review', () => {
    const finding = parse('CVE-2025-11187.json').findings[0];
    expect(finding?.ecosystem).toBe('GIT');
    expect(finding?.ranges[0]?.repo).toBe('https://github.com/openssl/openssl');
    expect(contains(finding, '3.5.4-1')).toBe('needs-review');
  });

  it('an unparseable installed version needs review rather than counting as not affected', () => {
    const finding = parse('GHSA-6m59-8fmv-m5f9.json').findings[0];
    expect(contains(finding, 'not-a-version')).toBe('needs-review');
  });
});

describe('OSV validation', () => {
  const base = { id: 'TEST-1', modified: '2024-01-01T00:00:00Z' };

  it('refuses fixed and last_affected in one range, a range without introduced, and GIT without a repo', () => {
    const record = {
      ...base,
      affected: [
        { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0' }, { last_affected: '0.9.0' }] }] },
        { package: { ecosystem: 'npm', name: 'y' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] },
        { ranges: [{ type: 'GIT', events: [{ introduced: '0' }] }] },
      ],
    };
    expect(() => parseOsv(record)).toThrow(/affected\[0\]\.ranges\[0\]\.events: "fixed" and "last_affected"[\s\S]*affected\[1\]\.ranges\[0\]\.events: a range needs at least one "introduced"[\s\S]*affected\[2\]\.ranges\[0\]\.repo/);
  });

  it('refuses an event with two keys', () => {
    const record = { ...base, affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0' }] }] }] };
    expect(() => parseOsv(record)).toThrow(/exactly one of introduced, fixed, last_affected or limit/);
  });

  it('marks a withdrawn record', () => {
    expect(parseOsv({ ...base, withdrawn: '2024-02-01T00:00:00Z' }).revision.status).toBe('withdrawn');
  });
});
