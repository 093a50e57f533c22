import { randomUUID } from 'node:crypto';

/**
 * What the helpdesk tells the outside world (notifiers, later the console). Notifier `events` lists match
 * these types exactly, by prefix (`incident.*`) or all (`*`).
 */
export const HELPDESK_EVENT_TYPES = [
  'incident.opened',
  'incident.updated',
  'incident.assigned',
  'incident.status-changed',
  'incident.resolved',
  'incident.closed',
  'incident.sla.near-breach',
  'incident.sla.breached',
  'problem.opened',
  'problem.updated',
  'problem.resolved',
  'problem.closed',
  'host.rescheduled',
  'approval.reminder',
] as const;
export type HelpdeskEventType = (typeof HELPDESK_EVENT_TYPES)[number];

export interface HelpdeskEvent {
  /** Unique per event; SLA milestones use a deterministic id so a second replica cannot announce one twice. */
  id: string;
  type: HelpdeskEventType;
  at: string;
  customerId: string | null;
  /** `incident/INC-000123`, `problem/PRB-000045`, `host/web-01`. */
  subject: string;
  /** One line for a person: what happened. */
  summary: string;
  /** The record after the change (incident or problem), or the facts of the event. */
  data: Record<string, unknown>;
}

export interface EventPublisher {
  publish(event: HelpdeskEvent): Promise<void>;
}

export const discardEvents: EventPublisher = { publish: async () => undefined };

export function newEventId(): string {
  return randomUUID();
}

/** Does a notifier's `events` entry select this event type? */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}
