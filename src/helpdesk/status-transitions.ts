import { AppError } from '../errors.js';
import type { IncidentStatus } from '../store/incidents.js';
import type { ProblemStatus } from '../store/problems.js';

/**
 * Allowed status moves. A resolved record can be reopened (back to work) until it is closed; closed is final.
 * Assigning is its own action (it sets `assigned` from `new` and keeps any later status).
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  new: ['assigned', 'in-progress', 'waiting-for-window', 'resolved'],
  assigned: ['in-progress', 'waiting-for-window', 'resolved'],
  'in-progress': ['assigned', 'waiting-for-window', 'resolved'],
  'waiting-for-window': ['assigned', 'in-progress', 'resolved'],
  resolved: ['in-progress', 'closed'],
  closed: [],
};

export const PROBLEM_TRANSITIONS: Readonly<Record<ProblemStatus, readonly ProblemStatus[]>> = {
  new: ['investigating', 'known-error', 'resolved'],
  investigating: ['known-error', 'resolved'],
  'known-error': ['investigating', 'resolved'],
  resolved: ['investigating', 'closed'],
  closed: [],
};

export function assertTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, recordId: string, from: S, to: S): void {
  const allowed = table[from];
  if (!allowed.includes(to)) {
    const options = allowed.length === 0 ? `${from} is final` : `from ${from} it can move to ${allowed.join(', ')}`;
    throw new AppError('conflict', `${recordId} cannot move from ${from} to ${to}: ${options}`);
  }
}
