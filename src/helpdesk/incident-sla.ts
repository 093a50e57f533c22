import {
  dueAt,
  passedMilestones,
  pauseClock,
  resumeClock,
  retargetClock,
  startClock,
  stopClock,
  type BusinessCalendar,
  type SlaClock,
  type SlaMilestone,
} from '../domain/sla/index.js';
import type { IncidentSla } from '../store/incidents.js';

/**
 * The two SLA clocks of an incident. Response stops at the first human reaction (leaving `new`, or a note);
 * resolution stops at `resolved`. Both pause while `waiting-for-window`. Due instants are stored alongside so
 * lists and queries need no calendar.
 */
export interface SlaTargets {
  responseMs: number;
  resolutionMs: number;
}

type ClockName = 'response' | 'resolution';

function withDue(calendar: BusinessCalendar, response: SlaClock, resolution: SlaClock, emitted: IncidentSla['emitted']): IncidentSla {
  const due = (clock: SlaClock) => (clock.stoppedAt !== undefined ? null : (dueAt(calendar, clock)?.toISOString() ?? null));
  return { response, resolution, responseDueAt: due(response), resolutionDueAt: due(resolution), emitted };
}

export function openSla(calendar: BusinessCalendar, targets: SlaTargets, at: Date): IncidentSla {
  return withDue(calendar, startClock(targets.responseMs, at), startClock(targets.resolutionMs, at), []);
}

export function retargetSla(calendar: BusinessCalendar, sla: IncidentSla, targets: SlaTargets): IncidentSla {
  return withDue(calendar, retargetClock(sla.response, targets.responseMs), retargetClock(sla.resolution, targets.resolutionMs), sla.emitted);
}

export function pauseSla(calendar: BusinessCalendar, sla: IncidentSla, at: Date): IncidentSla {
  return withDue(calendar, pauseClock(sla.response, at), pauseClock(sla.resolution, at), sla.emitted);
}

export function resumeSla(calendar: BusinessCalendar, sla: IncidentSla, at: Date): IncidentSla {
  return withDue(calendar, resumeClock(calendar, sla.response, at), resumeClock(calendar, sla.resolution, at), sla.emitted);
}

export function stopResponse(calendar: BusinessCalendar, sla: IncidentSla, at: Date): IncidentSla {
  return withDue(calendar, stopClock(calendar, sla.response, at), sla.resolution, sla.emitted);
}

export function stopResolution(calendar: BusinessCalendar, sla: IncidentSla, at: Date): IncidentSla {
  return withDue(calendar, stopClock(calendar, sla.response, at), stopClock(calendar, sla.resolution, at), sla.emitted);
}

/** Reopening counts the time spent resolved as paused: the customer was not waiting on us then. */
export function reopenResolution(calendar: BusinessCalendar, sla: IncidentSla, at: Date): IncidentSla {
  const { stoppedAt, ...running } = sla.resolution;
  const reopened = stoppedAt === undefined ? sla.resolution : resumeClock(calendar, { ...running, pausedAt: stoppedAt }, at);
  return withDue(calendar, sla.response, reopened, sla.emitted.filter((e) => !e.startsWith('resolution.')));
}

export interface DueMilestone {
  clock: ClockName;
  milestone: SlaMilestone;
  at: Date;
}

/** Milestones passed by `now` and not yet announced, in time order. */
export function dueMilestones(calendar: BusinessCalendar, sla: IncidentSla, now: Date): DueMilestone[] {
  const result: DueMilestone[] = [];
  for (const clock of ['response', 'resolution'] as const) {
    const emitted = new Set(sla.emitted.filter((e) => e.startsWith(`${clock}.`)).map((e) => e.slice(clock.length + 1) as SlaMilestone));
    for (const passed of passedMilestones(calendar, sla[clock], now, emitted)) result.push({ clock, ...passed });
  }
  return result.sort((a, b) => a.at.getTime() - b.at.getTime());
}
