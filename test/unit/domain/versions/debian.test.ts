import { describe, expect, it } from 'vitest';
import { compareDebianVersions, parseDebianVersion, VersionSyntaxError } from '../../../../src/domain/versions/index.js';
import { readVectors } from './vectors.js';

const vectors = readVectors('deb.tsv');
const valid = vectors.filter((v) => v.note === undefined);
const refusedByDpkg = vectors.filter((v) => v.note !== undefined);

describe('Debian version comparison against the shared vectors', () => {
  it('reads all 41 vectors, 3 of them marked as refused by dpkg 1.21', () => {
    expect(vectors).toHaveLength(41);
    expect(refusedByDpkg).toHaveLength(3);
  });

  it.each(valid)('$a vs $b is $expected', ({ a, b, expected }) => {
    expect(compareDebianVersions(a, b)).toBe(expected);
    expect(compareDebianVersions(b, a)).toBe(-expected || 0);
  });

  it.each(refusedByDpkg)('$a vs $b: refused like dpkg 1.21 does, and $expected when read leniently', ({ a, b, expected }) => {
    expect(() => compareDebianVersions(a, b)).toThrow(VersionSyntaxError);
    expect(compareDebianVersions(a, b, { lenient: true })).toBe(expected);
  });
});

describe('Debian version syntax', () => {
  it('splits epoch at the first colon and revision at the last hyphen', () => {
    expect(parseDebianVersion('1:2.3-4:5-6')).toEqual({ epoch: 1, upstream: '2.3-4:5', revision: '6' });
    expect(parseDebianVersion('1.0')).toEqual({ epoch: 0, upstream: '1.0', revision: '' });
  });

  it('treats a missing revision like "0"', () => {
    expect(compareDebianVersions('1.0', '1.0-0')).toBe(0);
  });

  it.each(['', 'a1.0', '1.0;rm -rf', '1:', 'x:1.0', '1.0 2', '99999999999:1.0', '1.0-1$'])('refuses "%s" with the reason', (text) => {
    expect(() => parseDebianVersion(text)).toThrow(/is not a valid deb version: /);
  });
});
