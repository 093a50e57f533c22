import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import { computePriority, impactFromAffectedHosts, ITIL_PRIORITY_MATRIX, type PriorityMatrix } from '../domain/priority.js';
import { addBusinessTime } from '../domain/sla/index.js';
import type { AffectedHost } from '../store/incidents.js';
import { auditChange } from './audit-trail.js';
import type { ProblemDetector } from './auto-problems.js';
import type { HelpdeskDirectory } from './directory.js';
import { escalates, escalationKey, urgencyForFailure } from './escalation-rules.js';
import { newEventId, type EventPublisher } from './events.js';
import type { IncidentService } from './incident-service.js';
import { occurrenceStartMs, type RunEvent } from './run-events.js';

const ACTOR = 'system:escalation';

/** The next maintenance window a host is in, after an instant (scheduling's `nextOccurrenceForHost`). */
export type NextWindowFor = (hostId: string, after: Date) => Promise<{ occurrenceId: string; start: Date } | undefined> | { occurrenceId: string; start: Date } | undefined;

export interface EscalationDependencies {
  redis: Redis;
  prefix: string;
  incidents: IncidentService;
  detector: ProblemDetector;
  directory: HelpdeskDirectory;
  publisher: EventPublisher;
  nextWindowFor: NextWindowFor;
  priorityMatrix?: PriorityMatrix;
}

export type EscalationOutcome =
  | { kind: 'opened' | 'joined' | 'unchanged'; incidentId: string }
  | { kind: 'rescheduled'; hostId: string; occurrenceId: string }
  | { kind: 'recovered'; incidentIds: string[]; resolved: string[] }
  | { kind: 'ignored'; reason: string };

/**
 * Turns run events into incidents. Replaying an event changes nothing (consumers get events at least once):
 * a host joins an incident once per run id, and recovers once.
 */
export class Escalation {
  readonly #deps: EscalationDependencies;

  constructor(deps: EscalationDependencies) {
    this.#deps = deps;
  }

  async handle(event: RunEvent): Promise<EscalationOutcome> {
    const failureClass = event.failureClass ?? 'internal';
    await this.#deps.detector.recordOccurrence({
      customerId: event.customerId,
      windowId: event.windowId,
      occurrenceId: event.occurrenceId,
      troubled: event.type === 'run.deferred' || (event.type === 'run.failed' && failureClass === 'window-closed'),
    });
    if (event.type === 'run.succeeded') return await this.#recover(event);
    // A deferral without a failure class is a host the window had no time for (evidence for "window too small"
    // above); one with a class missed its window because its attempts failed (unreachable), and is a failure.
    if (event.type === 'run.deferred' && event.failureClass === null) return { kind: 'ignored', reason: `${event.hostId} deferred to a later window: ${event.reason ?? 'no reason given'}` };
    if (!escalates(failureClass)) return { kind: 'ignored', reason: `${event.runId} was cancelled on purpose` };
    if (failureClass === 'unreachable') {
      const rescheduled = await this.#rescheduleIfInTime(event);
      if (rescheduled !== undefined) return rescheduled;
    }
    const outcome = await this.#openOrJoin(event, failureClass);
    if (event.playbookId !== null) {
      await this.#deps.detector.recordFailure({ customerId: event.customerId, hostId: event.hostId, playbookId: event.playbookId, failureClass, at: new Date(event.at), incidentId: outcome.incidentId });
    }
    return outcome;
  }

  /**
   * An unreachable host moves to its next window; it is ticketed only when that window starts after the
   * resolution due time the incident would have (or there is no next window).
   */
  async #rescheduleIfInTime(event: RunEvent): Promise<EscalationOutcome | undefined> {
    const { directory } = this.#deps;
    const at = new Date(event.at);
    const priority = computePriority(impactFromAffectedHosts([directory.hostCriticality(event.hostId)]), urgencyForFailure('unreachable'), this.#deps.priorityMatrix ?? ITIL_PRIORITY_MATRIX);
    const due = addBusinessTime(directory.calendarFor(event.customerId), at, directory.slaTargetsFor(event.customerId, priority).resolutionMs);
    // A deferred run carries the occurrence the orchestration moved it to; a failed one is asked of scheduling.
    const next = event.type === 'run.deferred' ? deferredWindow(event.deferredTo) : await this.#deps.nextWindowFor(event.hostId, at);
    if (next === undefined || next.start.getTime() > due.getTime()) return undefined;
    const facts = { hostId: event.hostId, runId: event.runId, missedOccurrenceId: event.occurrenceId, nextOccurrenceId: next.occurrenceId, nextWindowStart: next.start.toISOString(), slaDueAt: due.toISOString() };
    await auditChange(this.#deps.redis, this.#deps.prefix, { actor: ACTOR, action: 'host.rescheduled', subject: `host/${event.hostId}`, customerId: event.customerId, after: facts, at });
    await this.#deps.publisher.publish({
      id: newEventId(),
      type: 'host.rescheduled',
      at: event.at,
      customerId: event.customerId,
      subject: `host/${event.hostId}`,
      summary: `${event.hostId} was unreachable in ${event.occurrenceId}; rescheduled to ${next.occurrenceId}, within the SLA (due ${due.toISOString()})`,
      data: facts,
    });
    return { kind: 'rescheduled', hostId: event.hostId, occurrenceId: next.occurrenceId };
  }

  async #openOrJoin(event: RunEvent, failureClass: FailureClass): Promise<{ kind: 'opened' | 'joined' | 'unchanged'; incidentId: string }> {
    const { incidents, directory } = this.#deps;
    const affected: AffectedHost = { hostId: event.hostId, runId: event.runId, playbookId: event.playbookId, failedAt: event.at };
    const { record, created } = await incidents.open(
      {
        customerId: event.customerId,
        title: titleFor(failureClass, event.occurrenceId, [event.hostId]),
        source: 'run',
        category: failureClass,
        impact: impactFromAffectedHosts([directory.hostCriticality(event.hostId)]),
        urgency: urgencyForFailure(failureClass),
        hosts: [event.hostId],
        dedupeKey: escalationKey(event.customerId, event.occurrenceId, failureClass),
        run: { windowId: event.windowId, occurrenceId: event.occurrenceId, failureClass, affected: [affected] },
      },
      ACTOR,
    );
    if (created) return { kind: 'opened', incidentId: record.id };
    let joined = false;
    await incidents.change(record.id, ACTOR, 'incident.host-joined', 'incident.updated', (current) => {
      const run = current.run;
      if (run === null) return undefined;
      const existing = run.affected.find((a) => a.hostId === event.hostId);
      if (existing !== undefined && (existing.runId === event.runId || (existing.recoveredAt === undefined && existing.failedAt >= event.at))) return undefined;
      const others = run.affected.filter((a) => a.hostId !== event.hostId);
      const allAffected = [...others, affected];
      const hosts = allAffected.map((a) => a.hostId);
      const impact = impactFromAffectedHosts(hosts.map((h) => directory.hostCriticality(h)));
      const grown = incidents.reclassify(current, impact, current.urgency);
      joined = true;
      return {
        record: { ...grown, hosts, title: titleFor(failureClass, event.occurrenceId, hosts), run: { ...run, affected: allAffected } },
        text: `${event.hostId} failed with ${failureClass} (run ${event.runId}); ${hosts.length} hosts affected, impact ${impact}, priority P${grown.priority}`,
      };
    });
    return { kind: joined ? 'joined' : 'unchanged', incidentId: record.id };
  }

  /** A successful run after the failure recovers the host; when every affected host has recovered, the incident resolves. */
  async #recover(event: RunEvent): Promise<EscalationOutcome> {
    const { incidents } = this.#deps;
    const touched: string[] = [];
    const resolved: string[] = [];
    for (const open of await incidents.listOpen(event.customerId)) {
      if (open.source !== 'run' || open.run === null) continue;
      if (!open.run.affected.some((a) => a.hostId === event.hostId && a.recoveredAt === undefined && a.failedAt < event.at)) continue;
      const after = await incidents.change(open.id, ACTOR, 'incident.host-recovered', 'incident.updated', (current) => {
        const run = current.run;
        if (run === null) return undefined;
        const host = run.affected.find((a) => a.hostId === event.hostId && a.recoveredAt === undefined && a.failedAt < event.at);
        if (host === undefined) return undefined;
        const affected = run.affected.map((a) => (a === host ? { ...a, recoveredAt: event.at, recoveredByRunId: event.runId } : a));
        const left = affected.filter((a) => a.recoveredAt === undefined).length;
        return { record: { ...current, run: { ...run, affected } }, text: `${event.hostId} re-ran successfully (run ${event.runId}); ${left} of ${affected.length} hosts still failing` };
      });
      touched.push(open.id);
      if (after.run !== null && after.run.affected.every((a) => a.recoveredAt !== undefined) && after.status !== 'resolved') {
        const runs = after.run.affected.map((a) => `${a.hostId} (${a.recoveredByRunId ?? '?'})`).join(', ');
        await incidents.setStatus(after.id, 'resolved', ACTOR, { note: `resolved automatically: every affected host re-ran successfully: ${runs}` });
        resolved.push(after.id);
      }
    }
    return { kind: 'recovered', incidentIds: touched, resolved };
  }
}

function deferredWindow(occurrenceId: string | null | undefined): { occurrenceId: string; start: Date } | undefined {
  if (occurrenceId === null || occurrenceId === undefined) return undefined;
  const startMs = occurrenceStartMs(occurrenceId);
  return Number.isNaN(startMs) ? undefined : { occurrenceId, start: new Date(startMs) };
}

function titleFor(failureClass: FailureClass, occurrenceId: string, hosts: readonly string[]): string {
  const who = hosts.length === 1 ? (hosts[0] as string) : `${hosts.length} hosts`;
  return `${failureClass} in ${occurrenceId} on ${who}`;
}

