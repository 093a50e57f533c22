import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { isFinalBatchStatus } from '../../../src/domain/index.js';
import { CustomerNotices } from '../../../src/helpdesk/customer-notices/index.js';
import { createHelpdesk, directoryFromConfig, RunEventConsumer } from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, createRunnerExecutor, dispatchBatch, plannerTick, principalByName, requestApproval, startWorkerRole, approveBatchContent, type OrchestrationContext } from '../../../src/releases/index.js';
import { getBatch, saveHostUpdateScan, saveUser } from '../../../src/store/index.js';
import { uniquePrefix } from '../../support/orchestration/context.js';
import { waitFor } from '../../support/orchestration/wait.js';

const BATCH = 'night@20300105T220000Z';

/** Splits a MIME message into its text/plain and text/html parts, decoding quoted-printable. */
function parts(raw: string): { text: string; html: string; headers: string } {
  const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  const decode = (part: string) => {
    const body = part.slice(part.indexOf('\r\n\r\n') + 4);
    const decoded = /quoted-printable/i.test(part.slice(0, part.indexOf('\r\n\r\n'))) ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8') : body;
    return decoded.replace(/\r\n/g, '\n');
  };
  const sections = boundary === undefined ? [] : raw.split(`--${boundary}`);
  return {
    headers,
    text: decode(sections.find((s) => /content-type: text\/plain/i.test(s)) ?? ''),
    html: decode(sections.find((s) => /content-type: text\/html/i.test(s)) ?? ''),
  };
}

describe('customer notices over a real SMTP server (smtp-server) and real Redis', { timeout: 240_000 }, () => {
  const mails: Array<{ to: string[]; raw: string }> = [];
  let smtp: SMTPServer;
  let smtpUrl: string;
  let context: OrchestrationContext;
  let redis: Redis;
  // 34 h before the window: planned (lead time 2 d), but not yet inside the notice lead time (24 h).
  const clock = new FixedClock('2030-01-04T12:00:00Z');

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

    const prefix = uniquePrefix('notices');
    const dir = await mkdtemp(join(tmpdir(), 'redback-notices-'));
    const files: Record<string, string> = {
      'redback.yaml': `redis:\n  prefix: ${prefix}\npolicies:\n  planner_lead_time: 1m\n  approvals:\n    required_approvers: 1\n    four_eyes: true\n`,
      'inventory/acme.yaml': `customers:
  - id: acme
    name: Acme Logistics B.V.
    timezone: Europe/Amsterdam
    contacts:
      - { name: Sanne de Vries, email: it-ops@acme.example }
      - { name: Night desk, email: night@acme.example }
    contract:
      business_hours: 24x7
      sla:
${[1, 2, 3, 4, 5].map((p) => `        ${p}: { response: 1h, resolution: 1d }`).join('\n')}
hosts:
  - { id: web-01, customer: acme, address: localhost, transport: local, os: debian, groups: [fleet] }
  - { id: db-01, customer: acme, address: localhost, transport: local, os: rhel, groups: [fleet] }
`,
      'playbooks/patch.yaml': 'id: patch\nkind: custom\nos: debian\nsteps:\n  - { name: upgrade, run: "echo upgraded" }\nreboot: if-needed\nreboot_if: "false"\n',
      'playbooks/patch-rhel.yaml': 'id: patch-rhel\nkind: custom\nos: rhel\nsteps:\n  - { name: upgrade, run: "exit 1" }\n',
      'schedules/acme.yaml': `customer: acme
timezone: Europe/Amsterdam
windows:
  - id: night
    cron: "0 23 5 1 *"
    duration: 2h
    cutoff: 30m
    lead_time: 2d
    targets: { groups: [fleet] }
    playbooks: [custom]
    approval: required
baselines:
  - id: acme-security
    classifications: [security]
    auto_approve_after_days: 7
`,
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    const config = await loadConfig({ dir, env: {} });
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const logger = silentLogger();
    context = { config, redis, prefix, queue: createHostRunQueue(redis, prefix), clock, logger, audit: createAuditWriter(redis, prefix, logger), actor: 'system:scheduler' };
    for (const [name, roles] of [['alice', ['viewer', 'engineer']], ['bob', ['viewer', 'approver']]] as const) {
      await saveUser(redis, prefix, { name, roles: [...roles], customers: ['acme'], createdAt: clock.now().toISOString(), createdBy: 'local-admin' });
    }
    expect(await plannerTick(context)).toEqual([BATCH]);
    const update = { name: 'openssl', arch: 'amd64', from: '3.0.13-1', to: '3.0.15-1', classification: 'security', severity: 'important', releasedAt: '2029-12-01T00:00:00Z', revisedAt: null };
    await saveHostUpdateScan(redis, prefix, { hostId: 'web-01', scannedAt: clock.now().toISOString(), updates: [update, { ...update, name: 'vim', from: '9.0', to: '9.1', classification: 'enhancement' }] });
    await requestApproval(context, BATCH, await principalByName(redis, prefix, 'alice'), 'January patches');
  });

  afterAll(async () => {
    await context?.audit.flush();
    await context?.queue.close();
    await redis?.quit();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const notices = () =>
    new CustomerNotices({
      redis: context.redis,
      prefix: context.prefix,
      config: context.config,
      clock,
      noticeLeadMs: 24 * 3_600_000,
      smtpUrl,
      from: 'maintenance@provider.example',
      advisoriesFor: (_hostId, name) => (name === 'openssl' ? ['CVE-2029-0001', 'DSA-9999-1'] : []),
    });

  it('sends nothing before the notice lead time, then one notice per window to every contact, once', async () => {
    expect(await notices().tick()).toEqual([]);
    clock.set('2030-01-05T00:00:00Z'); // 22 h before the window (22:00 UTC = 23:00 Amsterdam)
    const [first, second] = await Promise.all([notices().tick(), notices().tick()]);
    expect([...first!, ...second!]).toHaveLength(1);
    expect(await notices().tick()).toEqual([]);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to.sort()).toEqual(['it-ops@acme.example', 'night@acme.example']);
    const { text, html, headers } = parts(mail.raw);
    expect(headers).toMatch(/^Subject: Planned maintenance 5 Jan 2030 23:00: 2 system\(s\) of Acme Logistics B\.V\.$/m);
    expect(headers).toMatch(/^X-Redback-Notice: notice$/m);
    // Hosts, planned updates, expected reboots and advisories, in the customer's own time.
    expect(text).toContain('Saturday 5 January 2030, 23:00–01:00 (Europe/Amsterdam, UTC+01:00)');
    expect(text).toContain('web-01 (reboots if an update requires it)\n  openssl 3.0.13-1 -> 3.0.15-1\n  addresses CVE-2029-0001, DSA-9999-1');
    expect(text).toContain('db-01 (no reboot)\n  not scanned yet: the playbooks decide on the night');
    expect(text).toContain('Expected reboots: 1 system(s). Advisories addressed: CVE-2029-0001, DSA-9999-1.');
    expect(text).not.toContain('vim');
    expect(html).toContain('openssl 3.0.13-1 &rarr; <strong>3.0.15-1</strong>');
    expect(html).toContain('<td style="border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left">CVE-2029-0001, DSA-9999-1</td>');
  });

  it('after the window, reports each host\'s outcome and the incident its failure opened', async () => {
    await approveBatchContent(context, BATCH, await principalByName(redis, context.prefix, 'bob'), { comment: 'ok' });
    clock.set('2030-01-05T22:00:05Z');
    const worker = startWorkerRole(context, { executor: createRunnerExecutor(context.config, context.logger), concurrency: 2 });
    try {
      await waitFor('the batch to finish', async () => {
        await dispatchBatch(context, BATCH);
        const batch = await getBatch(redis, context.prefix, BATCH);
        return batch !== undefined && isFinalBatchStatus(batch.status) ? batch : undefined;
      });
    } finally {
      await worker.stop();
    }
    const helpdesk = createHelpdesk({ redis, prefix: context.prefix, directory: directoryFromConfig(context.config), clock });
    await new RunEventConsumer({ redis, prefix: context.prefix, consumerName: 'notices-test', escalation: helpdesk.escalation }).drain();
    const [incident] = await helpdesk.incidents.list();
    expect(incident?.hosts).toEqual(['db-01']);

    // Still inside the window: no report yet.
    expect(await notices().tick()).toEqual([]);
    clock.set('2030-01-06T00:30:00Z');
    expect((await notices().tick()).map((n) => n.kind)).toEqual(['report']);
    expect(await notices().tick()).toEqual([]);
    const { text, html, headers } = parts(mails[1]!.raw);
    expect(headers).toMatch(new RegExp(`^Subject: Maintenance report 5 Jan 2030: 1 of 2 system\\(s\\) maintained, incident ${incident!.id}$`, 'm'));
    expect(text).toContain('  web-01: maintained successfully');
    expect(text).toMatch(/ {2}db-01: failed \(step-failed\): .*exit/);
    expect(text).toContain(`  ${incident!.id} (P${incident!.priority}, new): ${incident!.title}`);
    expect(html).toContain(`<strong>${incident!.id}</strong>`);
  });

  it('escapes record text in the HTML part', async () => {
    const { renderPostWindowReport } = await import('../../../src/helpdesk/customer-notices/index.js');
    const mail = renderPostWindowReport({ batchId: 'b', customerId: 'c', customerName: 'A <script>alert(1)</script> & Co', timezone: 'UTC', windowStart: '2030-01-01T00:00:00Z', windowEnd: '2030-01-01T01:00:00Z', status: 'failed', hosts: [{ hostId: 'h"1', state: 'failed', failureClass: 'step-failed', reason: '<b>boom</b>' }], incidents: [] });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('A &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(mail.html).toContain('&lt;b&gt;boom&lt;/b&gt;');
    expect(mail.text).toContain('A <script>alert(1)</script> & Co');
  });
});
