export type { BlackoutPeriod, InstantInput, Occurrence, RemovalKind, RemovedOccurrence, WindowSpec } from './occurrence.js';
export { occurrenceId, parseOccurrenceId } from '../domain/index.js';
export { expandWindow, type ExpandOptions, type Expansion } from './expand-window.js';
export { blackoutsForWindow } from './blackouts.js';
export { expandConfigWindow, windowsForHost } from './config-windows.js';
export {
  NEXT_OCCURRENCE_HORIZON_DAYS,
  acceptsNewWork,
  isOccurrenceOpen,
  isWindowOpen,
  nextOccurrenceForHost,
  openOccurrenceAt,
  timeLeftBeforeCutoff,
} from './window-queries.js';
export { toEpochMs } from './instant.js';
