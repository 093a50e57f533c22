import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdvisoryRefusedError, parseAdvisory, parseCsaf, parseOsv, readAdvisoryFile } from '../../../src/advisories/index.js';
import { readFixture } from './fixtures.js';

function refusal(action: () => unknown): AdvisoryRefusedError {
  try {
    action();
  } catch (error) {
    if (error instanceof AdvisoryRefusedError) return error;
    throw error;
  }
  throw new Error('the input was accepted');
}

const tomcat = () => readFixture('csaf', 'redhat-rhsa-2024_3666.json').toString('utf8');

/** The process is unharmed when a real document still parses completely after the bad one. */
function expectStillWorking(): void {
  expect(parseCsaf(readFixture('csaf', 'redhat-rhsa-2024_3666.json')).findings).toHaveLength(18);
}

describe('size limit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'redback-advisories-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a 100 MB document in memory by its size, before decoding it', () => {
    const huge = Buffer.alloc(100 * 1024 * 1024, 0x20);
    huge.write('{"document":', 0);
    const error = refusal(() => parseAdvisory(huge, { source: 'huge.json' }));
    expect(error.problems).toEqual([{ path: '$', message: `the document is ${100 * 1024 * 1024} bytes, more than the limit of ${20 * 1024 * 1024} bytes; raise limits.maxBytes if this source is trusted` }]);
    expectStillWorking();
  });

  it('refuses a 100 MB file from its size on disk without reading it', async () => {
    const file = path.join(dir, 'huge.json');
    await writeFile(file, '{');
    await truncate(file, 100 * 1024 * 1024);
    await expect(readAdvisoryFile(file)).rejects.toThrow(/the file is 104857600 bytes, more than the limit of 20971520 bytes/);
  });

  it('takes a configured limit', () => {
    const error = refusal(() => parseCsaf(readFixture('csaf', 'redhat-rhsa-2024_3666.json'), { limits: { maxBytes: 1000 } }));
    expect(error.problems[0]?.message).toMatch(/more than the limit of 1000 bytes/);
  });
});

describe('nesting and array limits', () => {
  it('refuses a 10,000-deep array nesting before JSON.parse sees it', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const error = refusal(() => parseAdvisory(deep, { source: 'deep.json' }));
    expect(error.problems[0]?.message).toBe('the document nests deeper than 64 levels (at character 64); raise limits.maxDepth only for a trusted source');
    expectStillWorking();
  });

  it('refuses a 10,000-deep object nesting inside a CSAF document', () => {
    const deep = `{"document":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    expect(() => parseCsaf(deep)).toThrow(/nests deeper than 64 levels/);
  });

  it('refuses an already parsed 10,000-deep value without overflowing the stack', () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 10_000; i++) {
      const child: Record<string, unknown> = {};
      node['a'] = child;
      node = child;
    }
    expect(() => parseCsaf(root)).toThrow(/nests deeper than 64 levels/);
  });

  it('does not count brackets inside strings', () => {
    const text = JSON.stringify({ id: 'TEST-1', modified: '2024-01-01T00:00:00Z', summary: '['.repeat(1000) });
    expect(parseAdvisory(text).identity.trackingId).toBe('TEST-1');
  });

  it('refuses an array longer than the limit, naming it', () => {
    const error = refusal(() => parseCsaf(readFixture('csaf', 'oasis-example-cisco-sa-20180328-smi2.json'), { limits: { maxArrayLength: 100 } }));
    expect(error.problems[0]?.message).toMatch(/^the array has \d+ entries, more than the limit of 100$/);
    expect(error.problems[0]?.path).toMatch(/^\$\./);
  });
});

describe('encoding', () => {
  it('refuses bytes that are not UTF-8 and says where', () => {
    const latin1 = Buffer.concat([Buffer.from('{"id":"X-1","modified":"2024-01-01T00:00:00Z","summary":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const error = refusal(() => parseAdvisory(latin1, { source: 'latin1.json' }));
    expect(error.problems[0]?.message).toMatch(/^the input is not valid UTF-8 \(first bad byte at offset 5\d\)/);
  });

  it('accepts a UTF-8 byte order mark', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"X-1","modified":"2024-01-01T00:00:00Z"}')]);
    expect(parseAdvisory(withBom).identity.trackingId).toBe('X-1');
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseAdvisory('{"document": ')).toThrow(/the input is not JSON/);
  });
});

describe('__proto__ keys', () => {
  it('refuses a document with a __proto__ key, names its path, and pollutes nothing', () => {
    const text = tomcat().replace('"document": {', '"document": {"__proto__": {"polluted": true},');
    const error = refusal(() => parseCsaf(text));
    expect(error.problems).toEqual([{ path: '$.document.__proto__', message: 'the key "__proto__" is not allowed in an advisory' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses an escaped "\\u005f_proto__" key too, since it decodes to the same key', () => {
    const text = '{"id":"X-1","modified":"2024-01-01T00:00:00Z","database_specific":{"\\u005f_proto__":{"polluted":true}}}';
    expect(() => parseAdvisory(text)).toThrow(/__proto__/);
  });
});

describe('package names with shell metacharacters', () => {
  it('refuses a CSAF purl whose name carries a shell command, naming the purl', () => {
    const text = tomcat().replace('pkg:rpm/redhat/tomcat-lib@', 'pkg:rpm/redhat/tomcat-lib%3Breboot@');
    const error = refusal(() => parseCsaf(text));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.path).toMatch(/^\$\.product_tree\.branches\[0\]\.branches\[\d+\]\.branches\[\d+\]\.product\.product_identification_helper\.purl$/);
    expect(error.problems[0]?.message).toContain('the package name "redhat/tomcat-lib;reboot" is refused');
  });

  it('refuses a NEVRA product version with $(…) in an old-style Red Hat document', () => {
    const text = readFixture('csaf', 'oasis-example-rhsa-2022_0011.json').toString('utf8').replaceAll('telnet-server-1:0.17-65.el7_6.x86_64', 'telnet-$(reboot)-1:0.17-65.el7_6.x86_64');
    expect(() => parseCsaf(text)).toThrow(/the package name "telnet-\$\(reboot\)" is refused/);
  });

  it('refuses an OSV package name or version with shell syntax', () => {
    const record = JSON.parse(readFixture('osv', 'DLA-3008-1.json').toString('utf8')) as { affected: { package: { name: string }; versions: string[] }[] };
    const badName = structuredClone(record);
    (badName.affected[0] as { package: { name: string } }).package.name = 'openssl; rm -rf /';
    expect(() => parseOsv(badName)).toThrow(/\$\.affected\[0\]\.package\.name: the package name "openssl; rm -rf \/" is refused/);
    const badVersion = structuredClone(record);
    (badVersion.affected[0] as { versions: string[] }).versions[0] = '1.0`id`';
    expect(() => parseOsv(badVersion)).toThrow(/\$\.affected\[0\]\.versions\[0\]: the version "1\.0`id`" is refused/);
  });
});

describe('shape', () => {
  it('refuses a document that is neither CSAF nor OSV', () => {
    expect(() => parseAdvisory('[1,2,3]')).toThrow(/neither a CSAF 2.0 document/);
  });

  it('lists every schema problem with its JSON path', () => {
    const broken = JSON.parse(tomcat()) as { document: { tracking: Record<string, unknown>; csaf_version: string } };
    broken.document.csaf_version = '2.1';
    delete broken.document.tracking['id'];
    const error = refusal(() => parseCsaf(broken));
    expect(error.problems.map((p) => p.path).sort()).toEqual(['$.document.csaf_version', '$.document.tracking.id']);
  });
});
