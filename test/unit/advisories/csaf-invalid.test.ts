import { describe, expect, it } from 'vitest';
import { AdvisoryRefusedError, parseCsaf } from '../../../src/advisories/index.js';
import { fixtureFiles, readFixture } from './fixtures.js';

/** `…-2021-6-1-08-01.json` fails 6.1.8; `…-2021-5-1-01.json` fails §5.1. */
function expectedTest(file: string): string {
  const match = /-2021-(\d+)-(\d+)-(\d+)(?:-\d+)?\.json$/i.exec(file);
  if (match === null) throw new Error(`cannot tell the test number from "${file}"`);
  const [, section, subsection, test] = match;
  return section === '5' ? `${section}.${subsection}` : `${section}.${subsection}.${Number(test)}`;
}

function refusal(file: string): AdvisoryRefusedError {
  try {
    parseCsaf(readFixture('csaf-invalid', file), { fileName: file });
  } catch (error) {
    if (error instanceof AdvisoryRefusedError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('the OASIS failing examples', () => {
  const files = fixtureFiles('csaf-invalid');

  it('are all 9 of them', () => {
    expect(files).toHaveLength(9);
  });

  it.each(files.map((file) => [file, expectedTest(file)]))('%s is refused by test %s alone, with a JSON path', (file, test) => {
    const error = refusal(file);
    expect([...new Set(error.problems.map((p) => p.test))]).toEqual([test]);
    for (const problem of error.problems) expect(problem.path).toMatch(/^\$[.[]/);
    expect(error.message).toContain(`[${test}]`);
  });

  it('names the place and both definitions for a duplicate product id', () => {
    const error = refusal('oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json');
    expect(error.problems).toEqual([
      { test: '6.1.2', path: '$.product_tree.full_product_names[1].product_id', message: 'the product id "CSAFPID-9080700" is already defined at $.product_tree.full_product_names[0].product_id' },
    ]);
  });

  it('points at the missing baseSeverity for the invalid CVSS', () => {
    const error = refusal('oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json');
    expect(error.problems.map((p) => p.path)).toEqual(['$.vulnerabilities[0].scores[0].cvss_v3.baseSeverity']);
  });

  it('refuses a Red Hat style 6.1.16 failure from a publisher without a tolerance', () => {
    const document = JSON.parse(readFixture('csaf', 'redhat-vex-cve-2023-0044.json').toString('utf8')) as { document: { publisher: { namespace: string } } };
    document.document.publisher.namespace = 'https://example.com';
    expect(() => parseCsaf(document)).toThrow(/\[6\.1\.16\] \$\.document\.tracking\.version/);
  });
});
