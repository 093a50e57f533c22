import { describe, expect, it } from 'vitest';
import { cvss3BaseScore, cvssSeverity, parseCsaf, parseOsv } from '../../../src/advisories/index.js';
import { fixtureFiles, readFixture } from './fixtures.js';

describe('CVSS 3.x base score from the vector', () => {
  const published = fixtureFiles('csaf').flatMap((file) =>
    parseCsaf(readFixture('csaf', file))
      .vulnerabilities.flatMap((v) => v.cvss)
      .filter((score) => score.version.startsWith('3'))
      .map((score) => ({ file, vector: score.vectorString, baseScore: score.baseScore })),
  );
  const distinct = [...new Map(published.map((p) => [p.vector, p])).values()];

  it('has published scores to check against', () => {
    expect(distinct.length).toBeGreaterThan(10);
  });

  it.each(distinct)('$vector scores $baseScore as published in $file', ({ vector, baseScore }) => {
    expect(cvss3BaseScore(vector)).toBe(baseScore);
  });

  it('matches the specification examples for scope changes and the 3.0 rounding', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H')).toBe(10);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toBe(0);
    expect(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N')).toBe(6.4);
  });

  it('refuses incomplete or duplicated vectors', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toBeUndefined();
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBeUndefined();
    expect(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeUndefined();
  });

  it('names severities with the CVSS 3 bands', () => {
    expect([0, 3.9, 4, 6.9, 7, 8.9, 9].map(cvssSeverity)).toEqual(['NONE', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH', 'CRITICAL']);
  });

  it('scores OSV records from their CVSS_V3 vector and leaves the CVSS_V4 one unscored', () => {
    const advisory = parseOsv(readFixture('osv', 'GHSA-6m59-8fmv-m5f9.json'));
    expect(advisory.vulnerabilities[0]?.cvss).toEqual([
      { version: '3.0', vectorString: 'CVSS:3.0/AV:L/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L', baseScore: 4.9, baseSeverity: 'MEDIUM', productIds: [] },
    ]);
  });
});
