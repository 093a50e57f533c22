import { hostsOfWindow, type MaintenanceWindow, type ResolvedConfig } from '../config/index.js';
import { blackoutsForWindow } from './blackouts.js';
import { expandWindow, type Expansion } from './expand-window.js';
import type { InstantInput } from './occurrence.js';

/** A config window's occurrences in [from, to), with its customer's and the global blackouts and its hosts. */
export function expandConfigWindow(config: ResolvedConfig, window: MaintenanceWindow, range: { from: InstantInput; to: InstantInput }): Expansion {
  return expandWindow(window, {
    from: range.from,
    to: range.to,
    blackouts: blackoutsForWindow(config, window),
    hostIds: hostsOfWindow(config, window).map((h) => h.id),
  });
}

/** The windows that target a host (through its id or one of its groups), in config order. */
export function windowsForHost(config: ResolvedConfig, hostId: string): MaintenanceWindow[] {
  return config.windows.filter((w) => hostsOfWindow(config, w).some((h) => h.id === hostId));
}
