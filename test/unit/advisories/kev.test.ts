import { describe, expect, it } from 'vitest';
import { joinKev, parseCsaf, parseKevCatalog, parseOsv } from '../../../src/advisories/index.js';
import { fixtureFiles, readFixture } from './fixtures.js';

const catalog = parseKevCatalog(readFixture('kev', 'known_exploited_vulnerabilities.json'));

describe('the CISA KEV catalog', () => {
  it('loads all 1,404 entries of catalog 2025.08.25', () => {
    expect(catalog.catalogVersion).toBe('2025.08.25');
    expect(catalog.byCve.size).toBe(1404);
  });

  it('has the documented anchors and not the documented absentees', () => {
    for (const cve of ['CVE-2023-44487', 'CVE-2021-44228', 'CVE-2024-1086', 'CVE-2023-0386', 'CVE-2022-0847', 'CVE-2021-4034', 'CVE-2016-5195']) {
      expect(catalog.byCve.has(cve), cve).toBe(true);
    }
    for (const cve of ['CVE-2024-3094', 'CVE-2024-6387', 'CVE-2024-2961']) expect(catalog.byCve.has(cve), cve).toBe(false);
  });

  it('flags an entry due before it was added as overdue instead of rejecting it', () => {
    const [match] = joinKev({ cves: ['CVE-2021-34527'] }, catalog, '2025-08-25');
    expect(match?.entry).toMatchObject({ dateAdded: '2021-11-03', dueDate: '2021-07-20' });
    expect(match?.overdue).toBe(true);
  });
});

describe('joining the fixtures on CVE id', () => {
  it('finds exactly the four KEV CVEs among the CSAF fixtures and none among the OSV fixtures', () => {
    const csafHits = fixtureFiles('csaf').flatMap((file) => joinKev(parseCsaf(readFixture('csaf', file)), catalog, '2025-08-25').map((m) => m.cve));
    expect([...new Set(csafHits)].sort()).toEqual(['CVE-2018-0171', 'CVE-2020-11899', 'CVE-2021-44228', 'CVE-2021-45046']);
    const osvHits = fixtureFiles('osv').flatMap((file) => joinKev(parseOsv(readFixture('osv', file)), catalog, '2025-08-25'));
    expect(osvHits).toEqual([]);
  });

  it('joins through OSV upstream, where distribution records keep their CVEs', () => {
    const advisory = parseOsv({ id: 'DLA-9999-1', modified: '2024-01-01T00:00:00Z', upstream: ['CVE-2024-1086'], affected: [] });
    expect(joinKev(advisory, catalog, '2024-01-01').map((m) => m.cve)).toEqual(['CVE-2024-1086']);
  });

  it('refuses a catalog entry with a malformed CVE id, naming the entry', () => {
    const broken = { catalogVersion: 'x', dateReleased: 'x', count: 1, vulnerabilities: [{ cveID: 'CVE-24-1' }] };
    expect(() => parseKevCatalog(broken)).toThrow(/\$\.vulnerabilities\[0\]\.cveID: expected a CVE id/);
  });
});
