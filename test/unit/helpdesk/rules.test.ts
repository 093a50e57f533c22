import { describe, expect, it } from 'vitest';
import { escalates, escalationKey, urgencyForFailure } from '../../../src/helpdesk/escalation-rules.js';
import { eventMatches, type HelpdeskEvent } from '../../../src/helpdesk/events.js';
import { slackPayload, teamsPayload, renderMessage } from '../../../src/helpdesk/notifications/messages.js';
import { attemptsFor, notifiersFor, type NotifierConfig } from '../../../src/helpdesk/notifications/index.js';
import { signWebhookBody, verifyWebhookSignature } from '../../../src/helpdesk/notifications/signature.js';
import { occurrenceStartMs, runEventSchema } from '../../../src/helpdesk/run-events.js';
import { assertTransition, INCIDENT_TRANSITIONS, PROBLEM_TRANSITIONS } from '../../../src/helpdesk/status-transitions.js';

describe('escalation rules', () => {
  it('makes reboot-timeout, host-key and unreachable high urgency, window-closed low, the rest medium', () => {
    expect(urgencyForFailure('reboot-timeout')).toBe('high');
    expect(urgencyForFailure('host-key')).toBe('high');
    expect(urgencyForFailure('unreachable')).toBe('high');
    expect(urgencyForFailure('window-closed')).toBe('low');
    expect(urgencyForFailure('step-failed')).toBe('medium');
    expect(urgencyForFailure('auth')).toBe('medium');
  });
  it('does not escalate a run an engineer cancelled', () => {
    expect(escalates('cancelled')).toBe(false);
    expect(escalates('step-failed')).toBe(true);
  });
  it('keys one incident per customer, occurrence and failure class', () => {
    expect(escalationKey('acme', 'w@20260414T200000Z', 'step-failed')).toBe('run/acme/w@20260414T200000Z/step-failed');
  });
});

describe('status transitions', () => {
  it('allows the documented moves and names the allowed ones when refusing', () => {
    expect(() => assertTransition(INCIDENT_TRANSITIONS, 'INC-000001', 'new', 'assigned')).not.toThrow();
    expect(() => assertTransition(INCIDENT_TRANSITIONS, 'INC-000001', 'resolved', 'in-progress')).not.toThrow();
    expect(() => assertTransition(INCIDENT_TRANSITIONS, 'INC-000001', 'new', 'closed')).toThrow('INC-000001 cannot move from new to closed: from new it can move to assigned, in-progress, waiting-for-window, resolved');
    expect(() => assertTransition(INCIDENT_TRANSITIONS, 'INC-000001', 'closed', 'in-progress')).toThrow('closed is final');
    expect(() => assertTransition(PROBLEM_TRANSITIONS, 'PRB-000001', 'investigating', 'known-error')).not.toThrow();
    expect(() => assertTransition(PROBLEM_TRANSITIONS, 'PRB-000001', 'new', 'closed')).toThrow(/PRB-000001 cannot move from new to closed/);
  });
});

describe('run events', () => {
  it('reads the start instant from an occurrence id', () => {
    expect(new Date(occurrenceStartMs('acme-weekly@20260418T200000Z')).toISOString()).toBe('2026-04-18T20:00:00.000Z');
  });
  it('rejects an event without a proper occurrence id and says what was expected', () => {
    const result = runEventSchema.safeParse({ type: 'run.failed', batchId: 'b', occurrenceId: 'weekly-2026', windowId: 'weekly', customerId: 'acme', hostId: 'h', playbookId: null, failureClass: 'auth', runId: 'b/h', at: '2026-04-18T20:00:00Z' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected an occurrence id windowId@YYYYMMDDTHHMMSSZ, given "weekly-2026"');
  });
});

const event: HelpdeskEvent = {
  id: 'e1',
  type: 'incident.opened',
  at: '2026-04-14T20:30:00.000Z',
  customerId: 'acme',
  subject: 'incident/INC-000001',
  summary: 'INC-000001 opened (P2): step-failed in w@20260414T200000Z on 3 hosts',
  data: { incident: { id: 'INC-000001', customerId: 'acme', status: 'new', priority: 2, hosts: ['a', 'b', 'c'], sla: { responseDueAt: '2026-04-15T06:30:00.000Z', resolutionDueAt: '2026-04-15T14:00:00.000Z' } } },
};

describe('notification routing and payloads', () => {
  const webhook: NotifierConfig = { id: 'hook', type: 'webhook', url: 'http://x.example/h', events: ['incident.*'], customers: ['acme'], max_attempts: 4 };
  const mail: NotifierConfig = { id: 'mail', type: 'email', smtp_url: 'smtp://x', from: 'a@b.c', to: [], events: ['problem.opened'] };
  const chat: NotifierConfig = { id: 'chat', type: 'teams', url: 'env:TEAMS_URL', events: ['*'], customers: ['globex'] };

  it('matches event patterns exactly, by prefix, or all', () => {
    expect(eventMatches('*', 'incident.sla.breached')).toBe(true);
    expect(eventMatches('incident.*', 'incident.sla.breached')).toBe(true);
    expect(eventMatches('incident.opened', 'incident.opened')).toBe(true);
    expect(eventMatches('problem.*', 'incident.opened')).toBe(false);
  });

  it('sends an event only to notifiers that take its type and its customer', () => {
    expect(notifiersFor([webhook, mail, chat], event).map((n) => n.id)).toEqual(['hook']);
    expect(notifiersFor([webhook, mail, chat], { ...event, customerId: 'globex' }).map((n) => n.id)).toEqual(['chat']);
  });

  it('uses the webhook max_attempts and a default for the others', () => {
    expect(attemptsFor(webhook)).toBe(4);
    expect(attemptsFor(mail)).toBe(5);
  });

  it('signs timestamp and body so neither can be changed', () => {
    const signature = signWebhookBody('k', '1700000000', '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('k', '1700000000', '{"a":1}', signature)).toBe(true);
    expect(verifyWebhookSignature('k', '1700000001', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhookSignature('k', '1700000000', '{"a":2}', signature)).toBe(false);
    expect(verifyWebhookSignature('k', '1700000000', '{"a":1}', undefined)).toBe(false);
  });

  it('renders a readable message with the SLA due times', () => {
    const message = renderMessage(event, 'https://console.example/');
    expect(message.subject).toBe('[redback] INC-000001 opened (P2): step-failed in w@20260414T200000Z on 3 hosts');
    expect(message.text).toContain('resolve by  2026-04-15T14:00:00.000Z');
    expect(message.text).toContain('https://console.example/incident/INC-000001');
  });

  it('shapes Slack and Teams bodies as their incoming webhooks expect', () => {
    expect(slackPayload(event)).toMatchObject({ text: `[redback] ${event.summary}`, blocks: [{ type: 'section', text: { type: 'mrkdwn' } }] });
    expect(teamsPayload(event)).toMatchObject({ '@type': 'MessageCard', '@context': 'https://schema.org/extensions', title: event.summary, themeColor: 'D70000' });
  });
});
