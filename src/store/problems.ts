import type { Redis } from 'ioredis';
import type { Level, Priority } from '../domain/priority.js';
import { TicketRepository, type TicketBase } from './tickets.js';

export const PROBLEM_STATUSES = ['new', 'investigating', 'known-error', 'resolved', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
export const OPEN_PROBLEM_STATUSES: readonly ProblemStatus[] = ['new', 'investigating', 'known-error'];

export const PROBLEM_SOURCES = ['helpdesk', 'monitoring', 'service', 'vendor'] as const;
export type ProblemSource = (typeof PROBLEM_SOURCES)[number];

/** How much removing the cause takes: people, means (tools, parts, licences) and hours. */
export interface EffortEstimate {
  people: number;
  means: string;
  hours: number;
}

export interface ProblemRecord extends TicketBase {
  /** Null for a problem that spans customers (the same playbook failing everywhere). */
  customerId: string | null;
  title: string;
  source: ProblemSource;
  category: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  status: ProblemStatus;
  assignee: string | null;
  effort: EffortEstimate | null;
  incidentIds: string[];
  /** Why an automatic problem was opened: the detector and its evidence (`vendor-advisory`: the advisory, hosts, packages, due time). */
  trigger: { rule: 'recurring-failure' | 'window-too-small' | 'vendor-advisory'; detail: Record<string, unknown> } | null;
  knownErrorWorkaround: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  resolution: string | null;
}

export class ProblemRepository extends TicketRepository<ProblemRecord> {
  constructor(redis: Redis, prefix: string) {
    super(redis, prefix, { kind: 'problem', idPrefix: 'PRB', openStatuses: OPEN_PROBLEM_STATUSES });
  }
}
