import { AppError } from '../../errors.js';
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-calendar.js';

/**
 * One SLA clock (response or resolution) as stored on an incident. Instants are ISO strings in UTC.
 * `pausedMs` is the business time spent paused so far; the due instant moves by exactly that much.
 */
export interface SlaClock {
  targetMs: number;
  startedAt: string;
  pausedMs: number;
  pausedAt?: string;
  stoppedAt?: string;
}

/** Share of the target after which a clock is near breach. */
export const NEAR_BREACH_RATIO = 0.8;

export function startClock(targetMs: number, at: Date): SlaClock {
  return { targetMs, startedAt: at.toISOString(), pausedMs: 0 };
}

export function isPaused(clock: SlaClock): boolean {
  return clock.pausedAt !== undefined && clock.stoppedAt === undefined;
}

export function isStopped(clock: SlaClock): boolean {
  return clock.stoppedAt !== undefined;
}

/** Pausing a paused or stopped clock changes nothing, so repeated status updates are harmless. */
export function pauseClock(clock: SlaClock, at: Date): SlaClock {
  if (clock.stoppedAt !== undefined || clock.pausedAt !== undefined) return clock;
  return { ...clock, pausedAt: at.toISOString() };
}

/** Adds the business time between the pause and `at` to `pausedMs`; a running clock is returned as is. */
export function resumeClock(calendar: BusinessCalendar, clock: SlaClock, at: Date): SlaClock {
  if (clock.pausedAt === undefined) return clock;
  const pausedAt = new Date(clock.pausedAt);
  if (at.getTime() < pausedAt.getTime()) {
    throw new AppError('input-invalid', `SLA clock resumed at ${at.toISOString()}, before it was paused at ${clock.pausedAt}; resume at or after the pause`);
  }
  const { pausedAt: _dropped, ...rest } = clock;
  return { ...rest, pausedMs: clock.pausedMs + businessTimeBetween(calendar, pausedAt, at) };
}

/** Stops the clock for good (response given, incident resolved). A paused clock is resumed first. */
export function stopClock(calendar: BusinessCalendar, clock: SlaClock, at: Date): SlaClock {
  if (clock.stoppedAt !== undefined) return clock;
  return { ...resumeClock(calendar, clock, at), stoppedAt: at.toISOString() };
}

/** A priority change keeps when the clock started and what was paused; only the target moves. */
export function retargetClock(clock: SlaClock, targetMs: number): SlaClock {
  return { ...clock, targetMs };
}

/**
 * When the clock breaches. Undefined while paused: the planned end is meaningless until the clock resumes
 * (ServiceNow KB0550783), and is then recomputed with the paused business time added.
 */
export function dueAt(calendar: BusinessCalendar, clock: SlaClock): Date | undefined {
  if (isPaused(clock)) return undefined;
  return addBusinessTime(calendar, new Date(clock.startedAt), clock.targetMs + clock.pausedMs);
}

/** When 80 % of the target is used up; undefined while paused. */
export function nearBreachAt(calendar: BusinessCalendar, clock: SlaClock, ratio = NEAR_BREACH_RATIO): Date | undefined {
  if (isPaused(clock)) return undefined;
  return addBusinessTime(calendar, new Date(clock.startedAt), Math.ceil(clock.targetMs * ratio) + clock.pausedMs);
}

/** Business time the clock has used at `now`, paused time excluded. */
export function elapsedBusinessMs(calendar: BusinessCalendar, clock: SlaClock, now: Date): number {
  const end = clock.stoppedAt ?? clock.pausedAt;
  const until = end !== undefined && new Date(end).getTime() < now.getTime() ? new Date(end) : now;
  return Math.max(0, businessTimeBetween(calendar, new Date(clock.startedAt), until) - clock.pausedMs);
}

export type SlaClockStatus = 'running' | 'near-breach' | 'breached' | 'paused' | 'met' | 'missed';

/** `met`/`missed` once stopped (before or after the due instant); otherwise where the clock stands at `now`. */
export function clockStatus(calendar: BusinessCalendar, clock: SlaClock, now: Date): SlaClockStatus {
  const due = dueAt(calendar, clock);
  if (clock.stoppedAt !== undefined) return due !== undefined && new Date(clock.stoppedAt).getTime() > due.getTime() ? 'missed' : 'met';
  if (due === undefined) return 'paused';
  if (now.getTime() >= due.getTime()) return 'breached';
  const near = nearBreachAt(calendar, clock) as Date;
  return now.getTime() >= near.getTime() ? 'near-breach' : 'running';
}

export type SlaMilestone = 'near-breach' | 'breached';

/**
 * The milestones a clock has passed by `now` and that are not in `alreadyEmitted`, each with the instant it
 * happened. A clock stopped before a milestone never reaches it; a paused clock reaches nothing.
 */
export function passedMilestones(
  calendar: BusinessCalendar,
  clock: SlaClock,
  now: Date,
  alreadyEmitted: ReadonlySet<SlaMilestone>,
): Array<{ milestone: SlaMilestone; at: Date }> {
  if (isPaused(clock)) return [];
  const limit = clock.stoppedAt === undefined ? now.getTime() : Math.min(now.getTime(), new Date(clock.stoppedAt).getTime() - 1);
  const result: Array<{ milestone: SlaMilestone; at: Date }> = [];
  const near = nearBreachAt(calendar, clock) as Date;
  const due = dueAt(calendar, clock) as Date;
  if (!alreadyEmitted.has('near-breach') && near.getTime() <= limit) result.push({ milestone: 'near-breach', at: near });
  if (!alreadyEmitted.has('breached') && due.getTime() <= limit) result.push({ milestone: 'breached', at: due });
  return result;
}
