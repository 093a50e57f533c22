import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Worker } from 'bullmq';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.js';
import {
  createHelpdesk,
  directoryFromConfig,
  eventsStreamKey,
  NotificationDispatcher,
  RunEventConsumer,
  startNotificationWorker,
  verifyWebhookSignature,
  type Helpdesk,
  type NotificationJob,
} from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { readSecret } from '../../../src/platform/secrets.js';
import { readAudit } from '../../../src/store/audit.js';
import { runEvent, writeHelpdeskConfig } from './helpdesk-fixture.js';

const exec = promisify(execFile);
const redisUrl = inject('redisUrl');
const HOOK_SECRET = 'hook-secret-for-tests';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('escalation end to end: a batch where 3 of 10 hosts fail with step-failed and 1 is unreachable', { timeout: 240_000 }, () => {
  const prefix = `e2e-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const webhooks: Received[] = [];
  const mails: string[] = [];
  let webhookServer: Server;
  let smtp: SMTPServer;
  let config: ResolvedConfig;
  let dispatcher: NotificationDispatcher;
  let worker: Worker<NotificationJob>;
  let helpdesk: Helpdesk;
  let consumer: RunEventConsumer;
  const clock = new FixedClock('2026-04-14T20:30:00Z');

  beforeAll(async () => {
    webhookServer = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        webhooks.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const hookPort = (webhookServer.address() as AddressInfo).port;
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    const dir = await writeHelpdeskConfig({
      prefix,
      notifiersYaml: `
  - { id: ops-webhook, type: webhook, url: "http://127.0.0.1:${hookPort}/hooks", secret: "env:REDBACK_TEST_HOOK_SECRET", events: [incident.opened, incident.resolved], customers: [acme], max_attempts: 3 }
  - { id: ops-mail, type: email, smtp_url: "smtp://127.0.0.1:${smtpPort}", from: redback@provider.example, to: [oncall@provider.example], events: [incident.opened] }
`,
    });
    config = await loadConfig({ dir, env: {} });
    dispatcher = new NotificationDispatcher({ connection: redis, prefix, notifiers: config.settings.notifiers, backoffMs: 50 });
    worker = startNotificationWorker({
      connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
      redis,
      prefix,
      notifiers: config.settings.notifiers,
      send: {
        readSecret: (reference) => readSecret(reference, { env: { REDBACK_TEST_HOOK_SECRET: HOOK_SECRET } }),
        contactEmails: () => [],
        nowSeconds: () => Math.floor(clock.now().getTime() / 1000),
      },
    });
    helpdesk = createHelpdesk({
      redis,
      prefix,
      directory: directoryFromConfig(config),
      clock,
      publisher: dispatcher,
      // The host's next window is a month away, later than any SLA allows.
      nextWindowFor: () => ({ occurrenceId: 'acme-monthly@20260512T200000Z', start: new Date('2026-05-12T20:00:00Z') }),
    });
    consumer = new RunEventConsumer({ redis, prefix, consumerName: 'test', escalation: helpdesk.escalation });
  });

  afterAll(async () => {
    await worker?.close();
    await dispatcher?.close();
    await redis.quit();
    await new Promise<void>((resolve) => webhookServer.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  async function append(events: Array<Record<string, unknown>>): Promise<void> {
    for (const event of events) await redis.xadd(eventsStreamKey(prefix), '*', 'event', JSON.stringify(event));
  }

  it('opens exactly two incidents with computed priorities and SLA due times, signs the webhook, sends the e-mail, and resolves both on re-run', async () => {
    const at = '2026-04-14T20:30:00Z';
    await append([
      ...['web-05', 'web-06', 'web-07', 'web-08', 'web-09', 'web-10'].map((hostId) => runEvent({ type: 'run.succeeded', hostId, at })),
      ...['web-01', 'web-02', 'web-03'].map((hostId) => runEvent({ type: 'run.failed', hostId, failureClass: 'step-failed', at })),
      runEvent({ type: 'run.failed', hostId: 'web-04', failureClass: 'unreachable', at }),
    ]);
    const handled = await consumer.drain();
    expect(handled).toHaveLength(10);

    const incidents = await helpdesk.incidents.list();
    expect(incidents).toHaveLength(2);
    const stepFailed = incidents.find((i) => i.category === 'step-failed');
    const unreachable = incidents.find((i) => i.category === 'unreachable');
    // Three hosts, one of them critical: impact high; step-failed is medium urgency => P2 (response 30m, resolution 8h).
    // Opened Tuesday 22:30 CEST, after hours: the clocks start Wednesday 08:00 CEST.
    expect(stepFailed).toMatchObject({
      priority: 2,
      impact: 'high',
      urgency: 'medium',
      status: 'new',
      hosts: ['web-01', 'web-02', 'web-03'],
      sla: { responseDueAt: '2026-04-15T06:30:00.000Z', resolutionDueAt: '2026-04-15T14:00:00.000Z' },
    });
    // One ordinary host, unreachable with its next window after the SLA: impact low, urgency high => P3 (2h, 3d).
    // 3d = 72 business hours of 10 per day: Wed..Fri, Mon..Thu (70 h), then Friday 24 April 08:00-10:00.
    expect(unreachable).toMatchObject({
      priority: 3,
      impact: 'low',
      urgency: 'high',
      hosts: ['web-04'],
      sla: { responseDueAt: '2026-04-15T08:00:00.000Z', resolutionDueAt: '2026-04-24T08:00:00.000Z' },
    });

    // Three hosts failing the same playbook with the same class: an automatic problem, linked both ways.
    const problems = await helpdesk.problems.list();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ trigger: { rule: 'recurring-failure' }, incidentIds: [stepFailed?.id] });
    expect((await helpdesk.incidents.get(stepFailed?.id as string)).problemIds).toEqual([problems[0]?.id]);

    await vi.waitFor(() => expect(webhooks.filter((w) => w.headers['x-redback-event'] === 'incident.opened')).toHaveLength(2), { timeout: 60_000, interval: 50 });
    for (const delivery of webhooks) {
      expect(verifyWebhookSignature(HOOK_SECRET, String(delivery.headers['x-redback-timestamp']), delivery.body, delivery.headers['x-redback-signature'] as string)).toBe(true);
      expect(verifyWebhookSignature('wrong-secret', String(delivery.headers['x-redback-timestamp']), delivery.body, delivery.headers['x-redback-signature'] as string)).toBe(false);
    }
    const opened = webhooks.map((w) => JSON.parse(w.body) as { data: { incident: { id: string; priority: number } } });
    expect(opened.map((o) => o.data.incident.id).sort()).toEqual([stepFailed?.id, unreachable?.id].sort());

    await vi.waitFor(() => expect(mails).toHaveLength(2), { timeout: 60_000, interval: 50 });
    const mail = mails.find((m) => m.includes(stepFailed?.id as string)) as string;
    expect(mail).toMatch(/^To: oncall@provider\.example$/m);
    expect(mail).toMatch(/^From: redback@provider\.example$/m);
    expect(mail).toMatch(new RegExp(`^Subject: \\[redback\\] ${stepFailed?.id} opened \\(P2\\)`, 'm'));
    expect(mail).toContain('resolve by  2026-04-15T14:00:00.000Z');

    // Replaying the same events changes nothing.
    await append([runEvent({ type: 'run.failed', hostId: 'web-02', failureClass: 'step-failed', at })]);
    await consumer.drain();
    expect((await helpdesk.incidents.get(stepFailed?.id as string)).hosts).toHaveLength(3);

    // Re-run the failed hosts the next morning: every affected host succeeds, both incidents resolve with a note.
    clock.set('2026-04-15T07:10:00Z');
    const rerunAt = '2026-04-15T07:05:00Z';
    await append(['web-01', 'web-02', 'web-03', 'web-04'].map((hostId) => runEvent({ type: 'run.succeeded', hostId, at: rerunAt, batchId: 'rerun-1' })));
    await consumer.drain();
    for (const id of [stepFailed?.id, unreachable?.id] as string[]) {
      const record = await helpdesk.incidents.get(id);
      expect(record.status).toBe('resolved');
      expect(record.resolution).toMatch(/^resolved automatically: every affected host re-ran successfully/);
      expect(record.sla.resolution.stoppedAt).toBe('2026-04-15T07:10:00.000Z');
    }
    await vi.waitFor(() => expect(webhooks.filter((w) => w.headers['x-redback-event'] === 'incident.resolved')).toHaveLength(2), { timeout: 60_000, interval: 50 });

    // Every change is in the audit stream.
    const audit = await readAudit(redis, prefix, { subject: `incident/${stepFailed?.id}` });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['incident.opened', 'incident.host-joined', 'incident.host-recovered', 'incident.resolved']));

    // The CLI sees the same records.
    const { stdout } = await exec(process.execPath, ['bin/redback.js', 'incidents', 'list', '--config', config.dir], { env: { ...process.env, REDIS_URL: redisUrl } });
    expect(stdout).toMatch(new RegExp(`^${stepFailed?.id}\\s+P2\\s+resolved\\s+acme\\s+step-failed\\s+3`, 'm'));
    expect(stdout).toMatch(new RegExp(`^${unreachable?.id}\\s+P3\\s+resolved\\s+acme\\s+unreachable\\s+1`, 'm'));
  });
});
