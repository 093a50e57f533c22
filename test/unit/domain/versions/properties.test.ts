import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions, compareRpmVersions, compareSemvers, rpmvercmp } from '../../../../src/domain/versions/index.js';

// Versions built from the characters that matter to each algorithm, so tildes, carets, letters and digit runs meet often.
const debVersion = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), fc.stringMatching(/^[0-9][0-9a-z.+~]{0,6}$/), fc.option(fc.stringMatching(/^[0-9a-z.+~]{1,5}$/), { nil: undefined }))
  .map(([epoch, upstream, revision]) => `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision === undefined ? '' : `-${revision}`}`);
const rpmSegment = fc.stringMatching(/^[0-9a-z._~^]{1,8}$/);
const rpmEvr = fc
  .tuple(fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), fc.stringMatching(/^[0-9a-z._~^]{1,8}$/), fc.option(fc.stringMatching(/^[0-9a-z._~^]{1,6}$/), { nil: undefined }))
  .map(([epoch, version, release]) => `${epoch === undefined ? '' : `${epoch}:`}${version}${release === undefined ? '' : `-${release}`}`);
const semver = fc
  .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.option(fc.stringMatching(/^(0|[1-9][0-9]?|[a-z]{1,3})(\.(0|[1-9][0-9]?|[a-z]{1,3})){0,2}$/), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre === undefined ? '' : `-${pre}`}`);

function isTotalOrder<T>(arbitrary: fc.Arbitrary<T>, compare: (a: T, b: T) => number): void {
  fc.assert(
    fc.property(arbitrary, arbitrary, arbitrary, (a, b, c) => {
      expect(compare(a, a)).toBe(0);
      expect(compare(a, b)).toBe(-compare(b, a) || 0);
      if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c)).toBeLessThanOrEqual(0);
    }),
    { numRuns: 2000 },
  );
}

describe('the comparators are total orders on generated versions', () => {
  it('dpkg', () => isTotalOrder(debVersion, compareDebianVersions));
  it('rpmvercmp', () => isTotalOrder(rpmSegment, rpmvercmp));
  it('rpm EVR', () => isTotalOrder(rpmEvr, compareRpmVersions));
  it('semver', () => isTotalOrder(semver, compareSemvers));
});

describe('known laws', () => {
  it('dpkg: appending ~anything sorts lower, appending +anything sorts higher', () => {
    fc.assert(
      fc.property(debVersion, fc.stringMatching(/^[0-9a-z]{1,4}$/), (version, suffix) => {
        expect(compareDebianVersions(`${version}~${suffix}`, version)).toBe(-1);
        expect(compareDebianVersions(`${version}+${suffix}`, version)).toBe(1);
      }),
    );
  });

  it('rpm: a caret suffix sorts after the base version, a tilde suffix before it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9][0-9a-z.]{0,6}[0-9a-z]$/), fc.stringMatching(/^[0-9a-z]{1,4}$/), (version, suffix) => {
        expect(rpmvercmp(`${version}^${suffix}`, version)).toBe(1);
        expect(rpmvercmp(`${version}~${suffix}`, version)).toBe(-1);
      }),
    );
  });
});
