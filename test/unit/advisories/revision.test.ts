import { describe, expect, it } from 'vitest';
import { advisoryKey, decideRevision, parseCsaf } from '../../../src/advisories/index.js';
import { readFixture } from './fixtures.js';

const revision = (version: string, releasedAt: string) => ({ version, releasedAt, status: 'final' as const });

describe('which copy of an advisory wins', () => {
  it('stores a document seen for the first time', () => {
    expect(decideRevision('csaf', undefined, revision('1', '2024-01-01T00:00:00Z'))).toBe('store-new');
  });

  it('replaces an older version and ignores an older one arriving late', () => {
    const v2 = revision('2', '2024-02-01T00:00:00Z');
    const v3 = revision('3', '2024-03-01T00:00:00Z');
    expect(decideRevision('csaf', v2, v3)).toBe('replace');
    expect(decideRevision('csaf', v3, v2)).toBe('ignore-older');
  });

  it('orders integer versions numerically and semantic versions by semver', () => {
    expect(decideRevision('csaf', revision('9', '2024-01-01T00:00:00Z'), revision('10', '2024-01-01T00:00:00Z'))).toBe('replace');
    expect(decideRevision('csaf', revision('1.10.0', '2024-01-01T00:00:00Z'), revision('1.9.0', '2024-01-01T00:00:00Z'))).toBe('ignore-older');
  });

  it('on equal versions lets the later release date win (Red Hat regenerates without bumping)', () => {
    expect(decideRevision('csaf', revision('1', '2023-01-04T00:00:00Z'), revision('1', '2023-11-13T11:31:31+00:00'))).toBe('replace');
    expect(decideRevision('csaf', revision('1', '2023-11-13T11:31:31Z'), revision('1', '2023-11-13T11:31:31+00:00'))).toBe('ignore-same');
  });

  it('compares OSV records by modified', () => {
    expect(decideRevision('osv', revision('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'), revision('2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z'))).toBe('replace');
  });

  it('keys documents by publisher and tracking id', () => {
    const advisory = parseCsaf(readFixture('csaf', 'redhat-rhsa-2024_3666.json'));
    expect(advisoryKey(advisory.identity)).toBe('https://www.redhat.com RHSA-2024:3666');
  });
});
