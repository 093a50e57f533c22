import type { BatchPlan } from '../store/index.js';

/** A batch event (the events stream): batch events have no host, run or failure class. */
export function batchEvent(batch: Pick<BatchPlan, 'id' | 'occurrenceId' | 'windowId' | 'customerId' | 'playbooks'>, type: 'batch.planned' | 'batch.approved' | 'batch.awaiting-approval' | 'batch.started' | 'batch.halted' | 'batch.finished' | 'batch.expired' | 'batch.cancelled') {
  return {
    type,
    batchId: batch.id,
    occurrenceId: batch.occurrenceId,
    windowId: batch.windowId,
    customerId: batch.customerId,
    hostId: null,
    playbookId: batch.playbooks.join(','),
    failureClass: null,
    runId: null,
  };
}
