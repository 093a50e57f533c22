import type { MaintenanceWindow } from '../config/index.js';
import type { Occurrence } from '../scheduling/index.js';
import type { BatchPlan } from '../store/index.js';
import type { OrchestrationContext } from './context.js';

/** The plan of an occurrence's batch: the window's playbooks, parameters and rules, and the hosts it targets now. */
export function occurrencePlan(context: OrchestrationContext, window: MaintenanceWindow, occurrence: Occurrence, now: Date): BatchPlan {
  return {
    id: occurrence.id,
    occurrenceId: occurrence.id,
    windowId: window.id,
    customerId: window.customerId,
    playbooks: [...window.playbooks],
    params: { ...window.params },
    checkMode: window.checkMode,
    approval: window.approval,
    rollout: {
      maxConcurrency: window.rollout?.maxConcurrency,
      maxErrors: window.rollout?.maxErrors,
      serial: window.rollout?.serial,
      customerConcurrency: window.rollout?.customerConcurrency,
    },
    hostIds: [...occurrence.hostIds],
    windowStart: new Date(occurrence.startMs).toISOString(),
    windowEnd: new Date(occurrence.endMs).toISOString(),
    cutoffAt: new Date(occurrence.cutoffMs).toISOString(),
    plannedAt: now.toISOString(),
    plannedBy: context.actor,
  };
}
