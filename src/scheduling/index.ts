export type { BlackoutPeriod, InstantInput, Occurrence, RemovalKind, RemovedOccurrence, WindowSpec } from './occurrence.js';
export { occurrenceId, parseOccurrenceId } from '../domain/index.js';
export { expandWindow, plannedStarts, type ExpandOptions, type Expansion, type PlannedStart } from './expand-window.js';
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
export { buildCalendar, boundInstant, parseRangeBound, type CalendarQuery, type RangeBound } from './calendar.js';
export { renderIcs, type IcsOptions } from './ics.js';
export { validateSchedules, type ValidateSchedulesOptions } from './validate-schedules.js';
