import { findWindow, hostsOfWindow } from '../../../src/config/index.js';
import { occurrenceId } from '../../../src/domain/index.js';
import { planOccurrence, type OrchestrationContext } from '../../../src/releases/index.js';
import type { Occurrence } from '../../../src/scheduling/index.js';

/**
 * Plans a batch of the fixture window `fleet` for an occurrence placed around the real "now" (the window's own
 * rule fires once a year), so that a test decides when the window opened and when its cutoff falls.
 */
export async function planBatchAround(context: OrchestrationContext, options: { startMs: number; cutoffMs: number; endMs?: number }): Promise<string> {
  const window = findWindow(context.config, 'fleet');
  if (window === undefined) throw new Error('the fixture config has no window "fleet"');
  const startMs = Math.floor(options.startMs / 1000) * 1000;
  const occurrence: Occurrence = {
    id: occurrenceId('fleet', startMs),
    windowId: 'fleet',
    customerId: window.customerId,
    timezone: window.timezone,
    localDate: new Date(startMs).toISOString().slice(0, 10),
    start: new Date(startMs).toISOString(),
    end: new Date(options.endMs ?? options.cutoffMs).toISOString(),
    cutoff: new Date(options.cutoffMs).toISOString(),
    startMs,
    endMs: options.endMs ?? options.cutoffMs,
    cutoffMs: options.cutoffMs,
    playbooks: window.playbooks,
    hostIds: hostsOfWindow(context.config, window).map((h) => h.id),
    approval: window.approval,
  };
  await planOccurrence(context, window, occurrence);
  return occurrence.id;
}
