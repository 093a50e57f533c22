import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { approvalReminderDelivery, type HelpdeskEvent, type NotifierConfig } from '../../../src/helpdesk/index.js';
import { createAuditWriter, plannerTick, requestApproval, startScheduler, type OrchestrationContext, type ReminderDelivery } from '../../../src/releases/index.js';
import { readAudit, readEvents } from '../../../src/store/index.js';
import { BATCH, releaseFixture, type ReleaseFixture } from './release-fixture.js';

/**
 * Approval reminders from the scheduler's tick: two schedulers ticking at the same instant send the reminder that
 * is due once (claimed per batch and threshold), deliver it through the helpdesk notifiers when one selects
 * `approval.reminder`, and audit it either way.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A second scheduler process's view: the same config, clock and prefix on connections of its own. */
async function secondScheduler(fixture: ReleaseFixture): Promise<OrchestrationContext> {
  const redis = new Redis(fixture.redisUrl, { maxRetriesPerRequest: null });
  const auditRedis = new Redis(fixture.redisUrl, { maxRetriesPerRequest: null });
  const audit = createAuditWriter(auditRedis, fixture.context.prefix, fixture.context.logger);
  cleanups.push(async () => {
    await audit.flush();
    await redis.quit();
    await auditRedis.quit();
  });
  return { ...fixture.context, redis, audit };
}

const webhook = (events: string[]): NotifierConfig => ({ id: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook', events, max_attempts: 3 }) as unknown as NotifierConfig;

async function awaitingApproval(label: string): Promise<ReleaseFixture> {
  const fixture = await releaseFixture(inject('redisUrl'), label);
  cleanups.push(() => fixture.close());
  fixture.clock.set('2030-01-01T01:30:00Z');
  await plannerTick(fixture.context);
  await requestApproval(fixture.context, BATCH, await fixture.as('alice'));
  return fixture;
}

/** Starts two schedulers (their first tick runs at once), waits for that tick and stops them. */
async function tickTwoSchedulers(first: OrchestrationContext, second: OrchestrationContext, deliver: ReminderDelivery): Promise<void> {
  const never = '0 0 0 1 1 *'; // only the tick at start
  const a = startScheduler(first, { plannerCron: never, deliverReminder: deliver });
  const b = startScheduler(second, { plannerCron: never, deliverReminder: deliver });
  await Promise.all([a.stop(), b.stop()]);
}

describe('approval reminders on the scheduler tick (real Redis)', () => {
  it('two schedulers send the due reminder once, through a notifier that takes approval.reminder, and audit it', async () => {
    const fixture = await awaitingApproval('remind-two');
    const other = await secondScheduler(fixture);
    const published: HelpdeskEvent[] = [];
    const deliver = approvalReminderDelivery({ notifiers: [webhook(['approval.*'])], publisher: { publish: async (event) => void published.push(event) }, now: () => fixture.clock.now() });

    fixture.clock.set('2030-01-01T01:59:00Z'); // the 1 h reminder (02:00) is not due yet
    await tickTwoSchedulers(fixture.context, other, deliver);
    expect(published).toEqual([]);

    fixture.clock.set('2030-01-01T02:00:30Z');
    await tickTwoSchedulers(fixture.context, other, deliver);
    await tickTwoSchedulers(fixture.context, other, deliver); // a later tick finds it sent
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ type: 'approval.reminder', customerId: 'acme', subject: `batch/${BATCH}`, id: `approval-reminder-${BATCH}-20300101T020000Z`, data: { batchId: BATCH, threshold: '2030-01-01T02:00:00.000Z', approvers: [], needed: 1, requestedBy: 'alice' } });
    expect(published[0]?.summary).toContain(`batch ${BATCH} awaits approval: 0 of 1 approvals`);

    const reminderEvents = (await readEvents(fixture.context.redis, fixture.context.prefix)).filter((e) => e.type === 'batch.awaiting-approval' && e.reason?.startsWith('reminder:'));
    expect(reminderEvents).toHaveLength(1);
    const audited = (await readAudit(fixture.context.redis, fixture.context.prefix, { subject: `batch/${BATCH}` })).filter((e) => e.action === 'approval.reminded');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: 'system:scheduler', customerId: 'acme', after: { threshold: '2030-01-01T02:00:00.000Z', delivered: true } });
  });

  it('without a notifier for approval.reminder the reminder is audited as not delivered', async () => {
    const fixture = await awaitingApproval('remind-none');
    const other = await secondScheduler(fixture);
    const published: HelpdeskEvent[] = [];
    const deliver = approvalReminderDelivery({ notifiers: [webhook(['incident.*'])], publisher: { publish: async (event) => void published.push(event) } });
    fixture.clock.set('2030-01-01T02:00:30Z');
    await tickTwoSchedulers(fixture.context, other, deliver);
    expect(published).toEqual([]);
    const audited = (await readAudit(fixture.context.redis, fixture.context.prefix, { subject: `batch/${BATCH}` })).filter((e) => e.action === 'approval.reminded');
    expect(audited.map((e) => (e.after as { delivered: boolean }).delivered)).toEqual([false]);
  });
});
