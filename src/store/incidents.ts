import type { Redis } from 'ioredis';
import type { Level, Priority } from '../domain/priority.js';
import type { SlaClock, SlaMilestone } from '../domain/sla/index.js';
import { TicketRepository, type TicketBase } from './tickets.js';

export const INCIDENT_STATUSES = ['new', 'assigned', 'in-progress', 'waiting-for-window', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const OPEN_INCIDENT_STATUSES: readonly IncidentStatus[] = ['new', 'assigned', 'in-progress', 'waiting-for-window'];

export const INCIDENT_SOURCES = ['run', 'advisory', 'monitoring', 'manual'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/** The provider's intake categories; run failures use their failure class as category instead. */
export const INTAKE_CATEGORIES = ['login', 'mail', 'internet', 'printing', 'files-and-folders', 'applications', 'internet-services', 'telephony', 'other'] as const;

/** One host of a run-failure incident: which run failed it, and which run later succeeded on it. */
export interface AffectedHost {
  hostId: string;
  runId: string | null;
  playbookId: string | null;
  failedAt: string;
  recoveredAt?: string;
  recoveredByRunId?: string;
}

export interface IncidentSla {
  response: SlaClock;
  resolution: SlaClock;
  /** Computed instants, kept on the record for display and queries; null while paused or when stopped. */
  responseDueAt: string | null;
  resolutionDueAt: string | null;
  /** `response.near-breach`, `resolution.breached`, …: each milestone is announced once. */
  emitted: Array<`${'response' | 'resolution'}.${SlaMilestone}`>;
}

export interface IncidentRecord extends TicketBase {
  customerId: string;
  title: string;
  source: IncidentSource;
  category: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  status: IncidentStatus;
  assignee: string | null;
  hosts: string[];
  sla: IncidentSla;
  /** Run failures: the escalation key's parts and every affected host. */
  run: { windowId: string; occurrenceId: string; failureClass: string; affected: AffectedHost[] } | null;
  /** Monitoring alerts: the alert key and how often it fired while this incident was open. */
  alert: { key: string; count: number; lastAt: string } | null;
  /** While `waiting-for-window`: when the window opens and the clocks resume. */
  waitingUntil: string | null;
  problemIds: string[];
  resolvedAt: string | null;
  closedAt: string | null;
  resolution: string | null;
}

export class IncidentRepository extends TicketRepository<IncidentRecord> {
  constructor(redis: Redis, prefix: string) {
    super(redis, prefix, { kind: 'incident', idPrefix: 'INC', openStatuses: OPEN_INCIDENT_STATUSES });
  }
}
