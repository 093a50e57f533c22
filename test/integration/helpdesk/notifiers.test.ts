import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { NotificationDispatcher, readDeadLetters, startNotificationWorker, type HelpdeskEvent, type NotificationJob, type NotifierConfig } from '../../../src/helpdesk/index.js';
import { readSecret } from '../../../src/platform/secrets.js';

const redisUrl = inject('redisUrl');
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
afterAll(async () => {
  await redis.quit();
});

interface Receiver {
  url: string;
  requests: Array<{ headers: IncomingHttpHeaders; body: string }>;
  server: Server;
}

/** A real HTTP receiver that answers each request with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[]): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses[Math.min(requests.length - 1, statuses.length - 1)] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, requests, server };
}

const event: HelpdeskEvent = {
  id: randomUUID(),
  type: 'incident.opened',
  at: '2026-04-14T20:30:00.000Z',
  customerId: 'acme',
  subject: 'incident/INC-000001',
  summary: 'INC-000001 opened (P2): step-failed in w@20260414T200000Z on 3 hosts',
  data: { incident: { id: 'INC-000001', priority: 2 } },
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function start(prefix: string, notifiers: NotifierConfig[], env: Record<string, string> = {}): { dispatcher: NotificationDispatcher; worker: Worker<NotificationJob> } {
  const dispatcher = new NotificationDispatcher({ connection: redis, prefix, notifiers, backoffMs: 20 });
  const worker = startNotificationWorker({
    connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    redis,
    prefix,
    notifiers,
    send: { readSecret: (ref) => readSecret(ref, { env }), contactEmails: () => [], nowSeconds: () => 1_776_000_000, timeoutMs: 5_000 },
  });
  cleanups.push(async () => {
    await worker.close();
    await dispatcher.close();
  });
  return { dispatcher, worker };
}

describe('notification delivery through the BullMQ queue', () => {
  it('retries a failing webhook with backoff and delivers on the third attempt', async () => {
    const hook = await receiver([500, 503, 204]);
    cleanups.push(() => new Promise((resolve) => hook.server.close(() => resolve())));
    const prefix = `nt-${randomUUID().slice(0, 8)}`;
    const { dispatcher } = start(prefix, [{ id: 'hook', type: 'webhook', url: hook.url, events: ['*'], max_attempts: 5 }]);
    await dispatcher.publish(event);
    await vi.waitFor(() => expect(hook.requests).toHaveLength(3), { timeout: 60_000, interval: 20 });
    expect(new Set(hook.requests.map((r) => r.headers['x-redback-delivery']))).toEqual(new Set([`hook/${event.id}`]));
    expect(hook.requests[0]?.headers['x-redback-signature']).toBeUndefined();
    expect(await readDeadLetters(redis, prefix)).toEqual([]);
  });

  it('dead-letters a delivery after max_attempts failures', async () => {
    const hook = await receiver([500]);
    cleanups.push(() => new Promise((resolve) => hook.server.close(() => resolve())));
    const prefix = `nt-${randomUUID().slice(0, 8)}`;
    const { dispatcher } = start(prefix, [{ id: 'hook', type: 'webhook', url: hook.url, events: ['*'], max_attempts: 3 }]);
    await dispatcher.publish(event);
    await vi.waitFor(async () => expect(await readDeadLetters(redis, prefix)).toHaveLength(1), { timeout: 60_000, interval: 20 });
    expect(hook.requests).toHaveLength(3);
    expect((await readDeadLetters(redis, prefix))[0]).toMatchObject({ notifierId: 'hook', deliveryId: `hook/${event.id}`, eventType: 'incident.opened', attempts: 3, error: expect.stringContaining('answered 500') });
  });

  it('posts Slack- and Teams-shaped JSON to chat webhooks whose URLs are secret references', async () => {
    const slack = await receiver([200]);
    const teams = await receiver([200]);
    cleanups.push(() => new Promise((resolve) => slack.server.close(() => resolve())));
    cleanups.push(() => new Promise((resolve) => teams.server.close(() => resolve())));
    const prefix = `nt-${randomUUID().slice(0, 8)}`;
    const { dispatcher } = start(
      prefix,
      [
        { id: 'slack', type: 'slack', url: 'env:SLACK_URL', events: ['incident.*'] },
        { id: 'teams', type: 'teams', url: 'env:TEAMS_URL', events: ['incident.opened'], customers: ['acme'] },
        { id: 'other-customer', type: 'teams', url: 'env:TEAMS_URL', events: ['*'], customers: ['globex'] },
      ],
      { SLACK_URL: slack.url, TEAMS_URL: teams.url },
    );
    await dispatcher.publish(event);
    await vi.waitFor(() => expect(slack.requests.length + teams.requests.length).toBe(2), { timeout: 60_000, interval: 20 });
    expect(JSON.parse(slack.requests[0]?.body ?? '{}')).toMatchObject({ text: `[redback] ${event.summary}` });
    expect(JSON.parse(teams.requests[0]?.body ?? '{}')).toMatchObject({ '@type': 'MessageCard', title: event.summary });
    expect(await dispatcher.queue.getJob(`other-customer/${event.id}`)).toBeUndefined();
  });
});
