import type { MaintenanceWindow, ResolvedConfig } from '../config/index.js';
import type { BlackoutPeriod } from './occurrence.js';

/** The blackouts that apply to a window: its customer's schedule files', then the global ones from redback.yaml. */
export function blackoutsForWindow(config: ResolvedConfig, window: Pick<MaintenanceWindow, 'customerId'>): BlackoutPeriod[] {
  const customer = config.schedules
    .filter((s) => s.customerId === window.customerId)
    .flatMap((s) => s.blackouts.map((b) => ({ id: b.id, from: b.from, to: b.to, reason: b.reason, scope: 'customer' as const })));
  const global = config.settings.blackouts.map((b) => ({ id: b.id, from: b.from, to: b.to, reason: b.reason, scope: 'global' as const }));
  return [...customer, ...global];
}
