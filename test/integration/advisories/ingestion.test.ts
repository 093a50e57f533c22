import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, stat, writeFile, copyFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { advisoryServices, pollFeed, watchDropFolder, type AdvisoryServices } from '../../../src/advisories/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { startApi } from '../../../src/interfaces/api/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { advisoryIngestsTotal } from '../../../src/platform/metrics.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, type OrchestrationContext } from '../../../src/releases/index.js';
import { createToken, readAudit, saveUser } from '../../../src/store/index.js';
import { writeConfigDir } from '../../support/config-dir.js';
import { uniquePrefix } from '../../support/orchestration/context.js';
import { runCli } from '../../support/run-cli.js';

const FIXTURES = resolve(process.cwd(), '../shared/fixtures/advisories');
const redisUrl = inject('redisUrl');
let redis: Redis;
let context: OrchestrationContext;
let services: AdvisoryServices;
let configDir: string;
let prefix: string;

beforeAll(async () => {
  prefix = uniquePrefix('advisories');
  configDir = await writeConfigDir({ 'redback.yaml': `redis:\n  prefix: ${prefix}\n` });
  const config = await loadConfig({ dir: configDir, env: {} });
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = silentLogger();
  context = { config, redis, prefix, queue: createHostRunQueue(redis, prefix), clock: new FixedClock('2030-01-05T10:00:00Z'), logger, audit: createAuditWriter(redis, prefix, logger), actor: 'system:test' };
  services = advisoryServices(context);
});

afterAll(async () => {
  await context.audit.flush();
  await context.queue.close();
  await redis.quit();
});

const cli = (args: string[]) => runCli([...args, '--config', configDir], { env: { REDIS_URL: redisUrl }, timeoutMs: 180_000 });
const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as { source: string; status: string; id: string | null; revision: string | null; errors: Array<{ test: string | null; path: string; message: string }> });

describe('redback advisories ingest (the real executable, real Redis)', () => {
  it('every real CSAF and OSV fixture is stored; a second run ignores them all as not newer', async () => {
    const first = await cli(['advisories', 'ingest', join(FIXTURES, 'csaf'), join(FIXTURES, 'osv'), '--json']);
    expect(first.code, first.stderr).toBe(0);
    const results = jsonLines(first.stdout);
    expect(results).toHaveLength(24);
    expect(results.filter((r) => r.status !== 'stored')).toEqual([]);
    expect(results.every((r) => r.id !== null && !r.id.includes(':') && r.errors.length === 0)).toBe(true);
    expect(results.find((r) => r.source.endsWith('redhat-rhsa-2024_3666.json'))).toMatchObject({ revision: '3' });

    const second = await cli(['advisories', 'ingest', join(FIXTURES, 'osv'), '--json']);
    expect(second.code).toBe(0);
    expect(jsonLines(second.stdout).map((r) => r.status)).toEqual(Array(10).fill('ignored-older'));

    const listed = await cli(['advisories', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(24);
    const shown = await cli(['advisories', 'show', 'RHSA-2024:3666', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ summary: { identity: { publisher: 'https://www.redhat.com', trackingId: 'RHSA-2024:3666' }, format: 'csaf' } });
  }, 240_000);

  it('every invalid CSAF example is refused with its test number and path, and the command exits 1', async () => {
    const result = await cli(['advisories', 'ingest', join(FIXTURES, 'csaf-invalid'), '--json']);
    expect(result.code).toBe(1);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(9);
    for (const line of lines) {
      expect(line.status).toBe('refused');
      const expected = /-6-1-(\d\d)-01\.json$/.exec(line.source)?.[1];
      const test = expected === undefined ? '5.1' : `6.1.${Number(expected)}`;
      expect(line.errors.map((e) => e.test), line.source).toContain(test);
      expect(line.errors.every((e) => e.path.startsWith('$'))).toBe(true);
    }
  }, 120_000);

  it('a newer revision replaces the stored one, a late older one is ignored, each decision audited', async () => {
    const base = { schema_version: '1.6.0', id: 'RBU-2030-0100', summary: 'revisions', affected: [{ package: { ecosystem: 'Debian:12', name: 'nothing-installed' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }] };
    const doc = (modified: string) => ({ source: `rev-${modified}`, bytes: Buffer.from(JSON.stringify({ ...base, modified })) });
    const { ingestDocument } = await import('../../../src/advisories/index.js');
    const before = (await advisoryIngestsTotal.get()).values.find((v) => v.labels.outcome === 'updated' && v.labels.format === 'osv')?.value ?? 0;
    expect((await ingestDocument(services, doc('2030-01-02T00:00:00Z'), { actor: 'alice' })).status).toBe('stored');
    expect((await ingestDocument(services, doc('2030-01-03T00:00:00Z'), { actor: 'alice' })).status).toBe('updated');
    expect((await ingestDocument(services, doc('2030-01-01T00:00:00Z'), { actor: 'alice' })).status).toBe('ignored-older');
    const id = (await services.store.resolve('RBU-2030-0100'))[0]!;
    expect((await services.store.summary(id))).toMatchObject({ revision: { version: '2030-01-03T00:00:00Z' }, revisionsStored: 2 });
    expect((await advisoryIngestsTotal.get()).values.find((v) => v.labels.outcome === 'updated' && v.labels.format === 'osv')?.value).toBe(before + 1);
    await context.audit.flush();
    const audit = (await readAudit(redis, prefix)).filter((e) => e.subject === `advisory/${id}`).map((e) => e.action);
    expect(audit).toEqual(['advisory.stored', 'advisory.updated', 'advisory.ignored']);
  });
});

describe('feeds, drop folder and POST /advisories', () => {
  let server: Server;
  let baseUrl: string;
  const requests: Array<{ url: string; ifNoneMatch: string | undefined; ifModifiedSince: string | undefined; status: number }> = [];
  const osv = (id: string) => JSON.stringify({ schema_version: '1.6.0', id, modified: '2030-01-04T00:00:00Z', summary: id, affected: [{ package: { ecosystem: 'Debian:12', name: 'none' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1' }] }] }] });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = request.url ?? '/';
      const ifNoneMatch = request.headers['if-none-match'];
      const ifModifiedSince = request.headers['if-modified-since'];
      let status = 200;
      let body = '';
      if (url === '/feed/RBU-2030-0200.json') {
        if (ifNoneMatch === '"v1"') status = 304;
        else body = osv('RBU-2030-0200');
        response.setHeader('etag', '"v1"');
        response.setHeader('last-modified', 'Sat, 04 Jan 2030 00:00:00 GMT');
      } else if (url === '/.well-known/csaf/provider-metadata.json') {
        body = JSON.stringify({ canonical_url: `${baseUrl}/.well-known/csaf/provider-metadata.json`, distributions: [{ rolie: { feeds: [{ url: `${baseUrl}/rolie/feed.json` }] } }] });
      } else if (url === '/rolie/feed.json') {
        body = JSON.stringify({ feed: { entry: [{ content: { src: `${baseUrl}/docs/redhat-rhsa-2024_3666.json` } }] } });
      } else if (url === '/docs/redhat-rhsa-2024_3666.json') {
        void readFile(join(FIXTURES, 'csaf/redhat-rhsa-2024_3666.json')).then((bytes) => response.end(bytes));
        requests.push({ url, ifNoneMatch, ifModifiedSince, status });
        return;
      } else status = 404;
      requests.push({ url, ifNoneMatch, ifModifiedSince, status });
      response.statusCode = status;
      response.end(status === 200 ? body : undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('a polled feed URL is fetched, then asked again with If-None-Match / If-Modified-Since and answered 304 without ingesting', async () => {
    const first = await pollFeed(services, `${baseUrl}/feed/RBU-2030-0200.json`, 'system:advisories');
    expect(first.notModified).toBe(false);
    expect(first.results.map((r) => r.status)).toEqual(['stored']);
    const second = await pollFeed(services, `${baseUrl}/feed/RBU-2030-0200.json`, 'system:advisories');
    expect(second).toEqual({ url: `${baseUrl}/feed/RBU-2030-0200.json`, notModified: true, results: [] });
    const feedRequests = requests.filter((r) => r.url === '/feed/RBU-2030-0200.json');
    expect(feedRequests).toEqual([
      { url: '/feed/RBU-2030-0200.json', ifNoneMatch: undefined, ifModifiedSince: undefined, status: 200 },
      { url: '/feed/RBU-2030-0200.json', ifNoneMatch: '"v1"', ifModifiedSince: 'Sat, 04 Jan 2030 00:00:00 GMT', status: 304 },
    ]);
  });

  it('a CSAF provider-metadata.json is followed through its ROLIE feed to the documents', async () => {
    const fresh = advisoryServices({ ...context, prefix: uniquePrefix('rolie') });
    const poll = await pollFeed(fresh, `${baseUrl}/.well-known/csaf/provider-metadata.json`, 'system:advisories');
    expect(poll.results.map((r) => [r.source, r.status])).toEqual([[`${baseUrl}/docs/redhat-rhsa-2024_3666.json`, 'stored']]);
  });

  it('the drop folder moves an ingested file to done/ and a refused one to refused/ with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redback-drop-'));
    await writeFile(join(dir, 'good.json'), osv('RBU-2030-0300'));
    await copyFile(join(FIXTURES, 'csaf-invalid/oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json'), join(dir, 'oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json'));
    const folder = watchDropFolder(services, dir, { actor: 'system:advisories', intervalMs: 3_600_000 });
    const results = await folder.scan();
    await folder.stop();
    expect(results.map((r) => r.status).sort()).toEqual(['refused', 'stored']);
    expect((await readdir(dir)).sort()).toEqual(['done', 'refused']);
    expect(await readdir(join(dir, 'done'))).toEqual(['good.json']);
    expect((await readdir(join(dir, 'refused'))).sort()).toEqual(['oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json', 'oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json.reason.txt']);
    expect(await readFile(join(dir, 'refused/oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json.reason.txt'), 'utf8')).toContain('[6.1.2]');
    expect((await stat(join(dir, 'done/good.json'))).isFile()).toBe(true);
  });

  it('POST /advisories stores a document for an engineer, refuses a bad one with 422 and its test, and refuses a viewer', async () => {
    const now = new Date('2030-01-05T10:00:00Z');
    await saveUser(redis, prefix, { name: 'erin', roles: ['engineer'], customers: ['*'], createdAt: now.toISOString(), createdBy: 'local-admin' });
    await saveUser(redis, prefix, { name: 'vic', roles: ['viewer'], customers: ['*'], createdAt: now.toISOString(), createdBy: 'local-admin' });
    const engineer = (await createToken(redis, prefix, { user: 'erin', label: 't', createdBy: 'local-admin', now })).token;
    const viewer = (await createToken(redis, prefix, { user: 'vic', label: 't', createdBy: 'local-admin', now })).token;
    const api = await startApi({ config: context.config, redis, logger: silentLogger(), clock: context.clock, listen: '127.0.0.1:0' });
    try {
      const post = (token: string, body: string) => fetch(`${api.url}/advisories`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      const stored = await post(engineer, osv('RBU-2030-0400'));
      expect(stored.status).toBe(200);
      expect(await stored.json()).toMatchObject({ source: 'api', status: 'stored', revision: '2030-01-04T00:00:00Z', errors: [] });
      const bad = await post(engineer, await readFile(join(FIXTURES, 'csaf-invalid/oasis_csaf_tc-csaf_2_0-2021-6-1-16-01.json'), 'utf8'));
      expect(bad.status).toBe(422);
      const body = (await bad.json()) as { status: string; errors: Array<{ test: string | null }> };
      expect(body.status).toBe('refused');
      expect(body.errors.map((e) => e.test)).toContain('6.1.16');
      expect((await post(viewer, osv('RBU-2030-0401'))).status).toBe(403);
      const list = await fetch(`${api.url}/advisories`, { headers: { authorization: `Bearer ${viewer}` } });
      expect(((await list.json()) as { items: Array<{ identity: { trackingId: string } }> }).items.map((i) => i.identity.trackingId)).toContain('RBU-2030-0400');
    } finally {
      await api.app.close();
    }
  });
});
