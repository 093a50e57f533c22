import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { plannerTick, principalByName, requestApproval } from '../../src/releases/index.js';
import { getBatch, saveHostUpdateScan } from '../../src/store/index.js';
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

  it('shows the audit trail, problems and exposure pages', async () => {
    await open('/audit');
    await page.locator('tr[data-action="approval.given"]').first().waitFor(UNTIL);
    expect(await page.locator('tr[data-action="approval.given"]').first().textContent()).toContain('bob');
    await shot('11-audit');
    await open('/problems');
    await page.locator('table.grid').waitFor(UNTIL);
    await shot('12-problems');
    await open('/exposure');
    await page.locator('.notice').waitFor(UNTIL);
    expect(await page.locator('.notice').textContent()).toContain('not available yet');
    await shot('13-exposure');
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
