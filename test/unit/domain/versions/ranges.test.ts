import { describe, expect, it } from 'vitest';
import { parseVersionRange, testVersionInRange } from '../../../../src/domain/versions/index.js';

const verdict = (range: string, version: string, scheme?: string) => testVersionInRange(parseVersionRange(range, scheme), version).verdict;

describe('vers ranges', () => {
  it('reads the specification examples', () => {
    expect(parseVersionRange('vers:npm/1.2.3|>=2.0.0|<5.0.0')).toMatchObject({
      kind: 'constraints',
      scheme: 'npm',
      constraints: [
        { comparator: '=', version: '1.2.3' },
        { comparator: '>=', version: '2.0.0' },
        { comparator: '<', version: '5.0.0' },
      ],
    });
    expect(verdict('vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.2.3')).toBe('in-range');
    expect(verdict('vers:npm/1.2.3|>=2.0.0|<5.0.0', '3.1.0')).toBe('in-range');
    expect(verdict('vers:npm/1.2.3|>=2.0.0|<5.0.0', '5.0.0')).toBe('out-of-range');
    expect(verdict('vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.9.0')).toBe('out-of-range');
  });

  it('honours != exclusions', () => {
    expect(verdict('vers:semver/>=2.2.0|!=2.2.1|<2.3.0', '2.2.1')).toBe('out-of-range');
    expect(verdict('vers:semver/>=2.2.0|!=2.2.1|<2.3.0', '2.2.2')).toBe('in-range');
  });

  it('orders with the scheme: deb and rpm ranges use dpkg and rpm rules', () => {
    expect(verdict('vers:deb/<1.1.0l-1~deb9u6', '1.1.0l-1~deb9u5')).toBe('in-range');
    expect(verdict('vers:deb/<1.1.0l-1~deb9u6', '1.1.0l-1')).toBe('out-of-range');
    expect(verdict('vers:rpm/<1:9.0.87-1.el8_10.1', '1:9.0.87-1.el8_10')).toBe('in-range');
  });

  it('reads vers:all/* as every version', () => {
    expect(parseVersionRange('vers:all/*')).toMatchObject({ kind: 'all' });
    expect(verdict('vers:all/*', 'anything at all')).toBe('in-range');
  });

  it('reads the invalid-but-common vers:all/<V3.1.4 as dotted numbers', () => {
    expect(verdict('vers:all/<V3.1.4', 'V3.1.3')).toBe('in-range');
    expect(verdict('vers:all/<V3.1.4', '3.1.4')).toBe('out-of-range');
    expect(verdict('vers:all/>=V2022.4<V2023.1', 'V2022.6')).toBe('in-range');
  });
});

describe('vls and free-text ranges from CSAF documents', () => {
  it.each([
    ['<=1.14.0', '1.14.0', 'in-range'],
    ['<=1.14.0', '1.15', 'out-of-range'],
    ['< 2.30', '2.29', 'in-range'],
    ['>= 6.02 | <= 6.05', '6.03', 'in-range'],
    ['All versions < V9.1', 'V9.0.4', 'in-range'],
    ['All versions', '1.0', 'in-range'],
    ['all versions', '1.0', 'in-range'],
  ])('%s contains %s: %s', (range, version, expected) => {
    expect(verdict(range, version)).toBe(expected);
  });

  it.each([
    '6.02 (excluding Version 5.83 Version 5.92 and all subsequent minor releases)',
    '<= 3.4.4 Build 16102416',
    '<V15 Update 2',
    '<=the_first_5_digits_of_serial_number_24031',
    '< 03A02',
    'vers:gem/>=2.2.0',
    'vers:npm/>=1.0.0||<2.0.0',
    'vers:/<1',
    '',
  ])('"%s" cannot be read, so any version needs review, never out of range', (range) => {
    const parsed = parseVersionRange(range);
    expect(parsed.kind).toBe('unparsed');
    const result = testVersionInRange(parsed, '1.0.0');
    expect(result.verdict).toBe('needs-review');
  });

  it('answers needs-review when the tested version cannot be ordered', () => {
    const result = testVersionInRange(parseVersionRange('< 2.30'), 'V2.1 build 7');
    expect(result).toMatchObject({ verdict: 'needs-review' });
  });
});
