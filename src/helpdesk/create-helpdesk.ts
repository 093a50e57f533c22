import type { Redis } from 'ioredis';
import type { PriorityMatrix } from '../domain/priority.js';
import type { Clock } from '../platform/clock.js';
import { ProblemDetector } from './auto-problems.js';
import type { HelpdeskDirectory } from './directory.js';
import { Escalation, type NextWindowFor } from './escalation.js';
import { discardEvents, type EventPublisher } from './events.js';
import { IncidentService } from './incident-service.js';
import { ProblemService } from './problem-service.js';

export interface HelpdeskOptions {
  redis: Redis;
  prefix: string;
  directory: HelpdeskDirectory;
  clock: Clock;
  publisher?: EventPublisher;
  /** Scheduling's next occurrence for a host; without it an unreachable host is always ticketed. */
  nextWindowFor?: NextWindowFor;
  priorityMatrix?: PriorityMatrix;
}

export interface Helpdesk {
  incidents: IncidentService;
  problems: ProblemService;
  detector: ProblemDetector;
  escalation: Escalation;
}

/** Wires the helpdesk services over one Redis connection. */
export function createHelpdesk(options: HelpdeskOptions): Helpdesk {
  const context = { redis: options.redis, prefix: options.prefix, directory: options.directory, clock: options.clock, publisher: options.publisher ?? discardEvents, priorityMatrix: options.priorityMatrix };
  const incidents = new IncidentService(context);
  const problems = new ProblemService(context);
  const detector = new ProblemDetector(options.redis, options.prefix, problems, incidents);
  const escalation = new Escalation({
    redis: options.redis,
    prefix: options.prefix,
    incidents,
    detector,
    directory: options.directory,
    publisher: context.publisher,
    nextWindowFor: options.nextWindowFor ?? (() => undefined),
    priorityMatrix: options.priorityMatrix,
  });
  return { incidents, problems, detector, escalation };
}
