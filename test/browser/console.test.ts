import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { advisoryServices, ingestDocument } from '../../src/advisories/index.js';
import { plannerTick, principalByName, requestApproval } from '../../src/releases/index.js';
import { createHostInventoryStore, getBatch, saveHostUpdateScan, type InventoryPackage } from '../../src/store/index.js';
import { startTestSshd, type TestSshd } from '../support/sshd.js';
import { BATCH, IN_WINDOW, launchChromium, startConsoleWorld, type ConsoleWorld } from './console-rig.js';

const ARTIFACTS = join(process.cwd(), 'test/artifacts/console');
// The viewer sits in New York while the customer's window is in Amsterdam: the two clocks differ by six hours.
const VIEWER_ZONE = 'America/New_York';
const UNTIL = { timeout: 120_000 };

describe('console in Chromium: approve a batch as a second engineer, watch it run over SSH, see the incident', { timeout: 600_000 }, () => {
  let sshd: TestSshd;
  let world: ConsoleWorld;
  let browser: BrowserContext;
  let page: Page;

  const shot = async (name: string, target: Page = page) => {
    await target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  };
  const open = async (hash: string) => {
    await page.goto(`${world.api.url}/console/#${hash}`);
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    sshd = await startTestSshd();
    world = await startConsoleWorld(inject('redisUrl'), sshd);
    const { context, clock } = world;
    expect(await plannerTick(context)).toEqual([BATCH]);
    const security = (name: string, from: string, to: string) => ({ name, arch: 'amd64', from, to, classification: 'security', severity: 'important', releasedAt: '2029-12-01T00:00:00Z', revisedAt: null });
    for (const hostId of ['web-01', 'web-02', 'db-01']) {
      await saveHostUpdateScan(context.redis, context.prefix, { hostId, scannedAt: clock.now().toISOString(), updates: [security('openssl', '3.0.13-1', '3.0.15-1'), { ...security('vim', '9.0', '9.1'), classification: 'enhancement' }] });
    }
    await requestApproval(context, BATCH, await principalByName(context.redis, context.prefix, 'alice'), 'January security patches');
    browser = await launchChromium(VIEWER_ZONE);
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await sshd?.dispose();
  });

  it('logs in with a token and lists the batch awaiting approval', async () => {
    await open('/batches');
    await page.locator('#token').waitFor();
    await shot('01-login');
    await page.locator('#token').fill('rbt_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.form-error').textContent(), UNTIL).toMatch(/refused/);
    await page.locator('#token').fill(world.tokens.bob);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-batch="${BATCH}"]`);
    await row.waitFor(UNTIL);
    expect(await row.locator('.badge').first().textContent()).toBe('awaiting-approval');
    expect(await page.locator('#who-name').textContent()).toBe('bob');
    // The token is kept for this tab only.
    expect(await page.evaluate('sessionStorage.getItem("redback.token")')).toBe(world.tokens.bob);
    await shot('02-batches');
  });

  it('shows the planned per-host diff and approves it as bob (not the requester)', async () => {
    await page.locator(`a[href="#/batches/${encodeURIComponent(BATCH)}"]`).click();
    await page.locator('#approve').waitFor(UNTIL);
    const diff = page.locator('table.diff');
    expect(await diff.locator('tr.diff-add').count()).toBe(3);
    expect(await diff.locator('tr.diff-add').first().textContent()).toContain('openssl');
    expect(await diff.locator('tr.diff-left').first().textContent()).toContain('vim');
    expect(await page.locator('#approval').textContent()).toContain('Requested by alice');
    // Times in the viewer's zone and the customer's; "in 1 h 30 min" counted by the server's (test) clock.
    const facts = await page.locator('.batch-header dl.facts').textContent();
    expect(facts).toContain('Mon, 31 Dec 2029, 22:00 GMT-5');
    expect(facts).toContain("Customer's timeTue, 1 Jan 2030, 04:00 CET");
    expect(facts).toContain('(in 1 h 30 min)');
    await shot('03-batch-awaiting-approval');
    await page.locator('#decision-comment').fill('Reviewed the openssl update for all three hosts');
    await page.locator('#approve').click();
    await expect.poll(async () => (await getBatch(world.context.redis, world.context.prefix, BATCH))?.status, UNTIL).toBe('approved');
    await expect.poll(() => page.locator('.batch-header .badge').first().textContent(), UNTIL).toBe('approved');
    expect(await page.locator('.decisions').textContent()).toContain('bob');
    await shot('04-batch-approved');
  });

  it('follows the batch live while it runs over SSH, to its final status', async () => {
    world.clock.set(IN_WINDOW);
    world.startOrchestration();
    const header = page.locator('.batch-header .badge').first();
    await expect.poll(() => header.textContent(), UNTIL).toBe('running');
    await page.locator('pre.log[data-host="web-01"] .line').first().waitFor(UNTIL);
    await shot('05-batch-running');
    await expect.poll(() => header.textContent(), UNTIL).toBe('partially-failed');
    await expect.poll(() => page.locator('tr[data-host="web-01"]').getAttribute('data-state'), UNTIL).toBe('succeeded');
    await expect.poll(() => page.locator('tr[data-host="db-01"]').getAttribute('data-state'), UNTIL).toBe('failed');
    // Streamed output from the real sshd, stdout and stderr.
    await expect.poll(() => page.locator('pre.log[data-host="web-02"]').textContent(), UNTIL).toContain('openssl 3.0.15 installed');
    await expect.poll(() => page.locator('pre.log[data-host="db-01"]').textContent(), UNTIL).toContain('Error: transaction check failed');
    expect(await page.locator('pre.log[data-host="db-01"] .line-stderr').count()).toBeGreaterThan(0);
    await shot('06-batch-finished');
  });

  it('shows the incident the failing host opened, with its SLA clocks', async () => {
    await open('/incidents');
    const row = page.locator('tr[data-incident]').filter({ hasText: 'db-01' });
    await expect.poll(async () => {
      await page.reload();
      await page.locator('h1').first().waitFor();
      return await row.count();
    }, UNTIL).toBe(1);
    expect(await row.locator('.badge').textContent()).toBe('new');
    expect(await row.locator('.sla').count()).toBe(2);
    await shot('07-incidents');
    await row.locator('a').first().click();
    await page.locator('ol.timeline li').first().waitFor(UNTIL);
    expect(await page.locator('dl.facts').textContent()).toContain('step-failed');
    await shot('08-incident');
  });

  it('shows the window in the viewer\'s zone and in the customer\'s zone, by month and by week', async () => {
    await open('/calendar?view=month&date=2030-01-01&tz=viewer');
    const chip = page.locator('a.occurrence').first();
    await chip.waitFor(UNTIL);
    // 04:00 in Amsterdam is 22:00 the evening before in New York.
    expect(await chip.locator('.occurrence-time').textContent()).toBe('22:00–23:00');
    expect(await page.locator('.day[data-date="2029-12-31"] a.occurrence').count()).toBe(1);
    await shot('09-calendar-month-viewer-zone');
    await open('/calendar?view=week&date=2030-01-01&tz=customer');
    await page.locator('.calendar-week a.occurrence').first().waitFor(UNTIL);
    expect(await page.locator('.day[data-date="2030-01-01"] .occurrence-time').textContent()).toBe('04:00–05:00');
    await shot('10-calendar-week-customer-zone');
  });

  it('shows the audit trail and problems pages', async () => {
    await open('/audit');
    await page.locator('tr[data-action="approval.given"]').first().waitFor(UNTIL);
    expect(await page.locator('tr[data-action="approval.given"]').first().textContent()).toContain('bob');
    await shot('11-audit');
    await open('/problems');
    await page.locator('table.grid').waitFor(UNTIL);
    await shot('12-problems');
  });

  it('shows advisory exposure per host with installed and fixed versions, sorted by severity, linked to the advisory and its problem', async () => {
    const { context, clock } = world;
    // The scan playbook's result for two Debian 12 hosts, stored as the workers store it.
    const inventory = createHostInventoryStore(context.redis, context.prefix);
    const deb = (name: string, version: string, source = ''): InventoryPackage => ({ name, version, arch: 'amd64', source });
    const scan = (hostId: string, libxml2: string) => ({
      hostId,
      scannedAt: clock.now().toISOString(),
      os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
      kernel: '6.1.0-28-amd64',
      arch: 'x86_64',
      bootTime: null,
      held: [],
      packages: [deb('openssl', '3.0.15-1'), deb('libxml2', libxml2), deb('vim', '2:9.0.1378-2')],
    });
    expect(await inventory.save(scan('web-01', '2.9.14+dfsg-1.3+deb12u2'))).toBe(true);
    expect(await inventory.save(scan('web-02', '2.9.14+dfsg-1.3+deb12u1'))).toBe(true);
    // Two OSV records: a critical libxml2 flaw (CVSS 9.8, urgent: a problem is opened) that only web-02 still has,
    // and a moderate vim flaw (CVSS 5.5) on both hosts. openssl 3.0.15-1 is already fixed everywhere.
    const osv = (id: string, summary: string, vector: string, name: string, fixed: string) =>
      Buffer.from(JSON.stringify({
        schema_version: '1.6.0',
        id,
        modified: '2029-12-30T12:00:00Z',
        published: '2029-12-30T12:00:00Z',
        aliases: [id.replace('RBU', 'CVE')],
        summary,
        severity: [{ type: 'CVSS_V3', score: vector }],
        affected: [{ package: { ecosystem: 'Debian:12', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
      }));
    const services = advisoryServices(context);
    const critical = await ingestDocument(services, { source: 'RBU-2030-0101.json', bytes: osv('RBU-2030-0101', 'libxml2: heap overflow in the XML parser', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'libxml2', '2.9.14+dfsg-1.3+deb12u2') }, { actor: 'alice' });
    const moderate = await ingestDocument(services, { source: 'RBU-2030-0102.json', bytes: osv('RBU-2030-0102', 'vim: crash on a crafted file', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 'vim', '2:9.0.1378-2+deb12u1') }, { actor: 'alice' });
    expect([critical.status, moderate.status]).toEqual(['stored', 'stored']);

    await open('/exposure');
    const rows = page.locator('tr[data-advisory]');
    await rows.first().waitFor(UNTIL);
    // By severity (the default): the critical advisory first.
    expect(await rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-severity')} ${tr.getAttribute('data-host')}`))).toEqual(['critical web-02', 'moderate web-01', 'moderate web-02']);
    const exposed = page.locator(`tr[data-advisory="${critical.id}"]`);
    expect(await exposed.count()).toBe(1);
    expect(await exposed.locator('td.host').textContent()).toBe('web-02');
    expect(await exposed.locator('td.installed').textContent()).toBe('2.9.14+dfsg-1.3+deb12u1');
    expect(await exposed.locator('td.fixed').textContent()).toBe('2.9.14+dfsg-1.3+deb12u2');
    expect(await exposed.locator('.severity').textContent()).toBe('critical');
    expect(await exposed.textContent()).toContain('CVSS 9.8');
    const problemId = await exposed.locator('a.problem-link').textContent();
    expect(problemId).toMatch(/^PRB-\d+$/);
    expect(await page.locator(`tr[data-advisory="${moderate.id}"] a.problem-link`).count()).toBe(0);
    expect(await page.locator(`tr[data-advisory="${moderate.id}"][data-host="web-01"] td.installed`).textContent()).toBe('2:9.0.1378-2');
    expect(await page.locator('#exposure-count').textContent()).toBe('2 exposed hosts, 2 advisories');
    await shot('13-exposure');

    await page.locator('#exposure-sort a', { hasText: 'By host' }).click();
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-host')} ${tr.getAttribute('data-severity')}`)), UNTIL).toEqual(['web-01 moderate', 'web-02 critical', 'web-02 moderate']);

    // The advisory page (GET /advisories/:id) and, from there, the problem the urgent advisory opened.
    await page.locator(`tr[data-advisory="${critical.id}"] a.advisory-link`).click();
    await page.locator('#advisory-facts').waitFor(UNTIL);
    expect(await page.locator('h1').textContent()).toContain('RBU-2030-0101');
    expect(await page.locator('#advisory-facts').textContent()).toContain('CVSS 9.8 >= threshold 9');
    expect(await page.locator('tr[data-host="web-02"] td.fixed').textContent()).toBe('2.9.14+dfsg-1.3+deb12u2');
    expect(await page.locator('tr[data-host="web-01"]').count()).toBe(0);
    await shot('13b-advisory');
    await page.locator('#advisory-facts a', { hasText: problemId! }).click();
    await page.locator('ol.timeline li').first().waitFor(UNTIL);
    expect(await page.locator('h1').textContent()).toContain(problemId!);
    expect(await page.locator('dl.facts').textContent()).toContain('web-02: libxml2 2.9.14+dfsg-1.3+deb12u1 → 2.9.14+dfsg-1.3+deb12u2');
    await shot('13c-advisory-problem');
  });

  it('shows the queue dashboard to an admin only', async () => {
    expect(await page.locator('a[data-section="queues"]').isHidden()).toBe(true);
    const admin = await browser.newPage();
    await admin.goto(`${world.api.url}/console/#/batches`);
    await admin.locator('#token').fill(world.tokens.ada);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.locator('a[data-section="queues"]').click();
    const frame = admin.frameLocator('iframe.queues');
    await frame.getByText('host-runs').first().click(UNTIL);
    // The queue page has loaded when its job-state tabs are there.
    await frame.getByText(/completed/i).first().waitFor(UNTIL);
    await shot('14-queues-admin', admin);
    // Without the session cookie or an admin token the dashboard refuses.
    const anonymous = await fetch(`${world.api.url}/admin/queues/`);
    expect(anonymous.status).toBe(401);
    const asBob = await fetch(`${world.api.url}/admin/queues/session`, { method: 'POST', headers: { authorization: `Bearer ${world.tokens.bob}` } });
    expect(asBob.status).toBe(403);
    await admin.close();
  });
});
