import { describe, expect, it } from 'vitest';
import { compareRpmVersions, parseRpmEvr, rpmvercmp } from '../../../../src/domain/versions/index.js';
import { readVectors } from './vectors.js';

const vectors = readVectors('rpm.tsv');
const bare = vectors.filter((v) => v.source.includes('rpmvercmp.at'));
const evr = vectors.filter((v) => v.source.includes('redhat_test.py'));

describe('RPM version comparison against the shared vectors', () => {
  it('reads 61 rpmvercmp.at rows and 15 EVR rows', () => {
    expect(bare).toHaveLength(61);
    expect(evr).toHaveLength(15);
  });

  it.each(bare)('rpmvercmp($a, $b) is $expected', ({ a, b, expected }) => {
    expect(rpmvercmp(a, b)).toBe(expected);
    expect(rpmvercmp(b, a)).toBe(-expected || 0);
  });

  it.each(evr)('EVR $a vs $b is $expected', ({ a, b, expected }) => {
    expect(compareRpmVersions(a, b)).toBe(expected);
    expect(compareRpmVersions(b, a)).toBe(-expected || 0);
  });
});

describe('RPM EVR', () => {
  it('parses epoch, version and release', () => {
    expect(parseRpmEvr('1:9.0.87-1.el8_10.1')).toEqual({ epoch: 1, version: '9.0.87', release: '1.el8_10.1' });
  });

  it('sorts a missing release below any release and a missing epoch as 0', () => {
    expect(compareRpmVersions('1.0', '1.0-5')).toBe(-1);
    expect(compareRpmVersions('0:1.0-1', '1.0-1')).toBe(0);
  });

  it('treats non-ASCII characters as separators, as rpm does', () => {
    expect(rpmvercmp('1.1.α', '1.1.β')).toBe(0);
  });

  it.each(['', 'a:1.0', '1:2:3', '1.0-', '1.0 1'])('refuses "%s"', (text) => {
    expect(() => parseRpmEvr(text)).toThrow(/is not a valid rpm version/);
  });
});
