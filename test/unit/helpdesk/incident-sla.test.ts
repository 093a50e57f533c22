import { describe, expect, it } from 'vitest';
import type { BusinessCalendar } from '../../../src/domain/sla/index.js';
import { dueMilestones, openSla, pauseSla, reopenResolution, resumeSla, retargetSla, stopResolution, stopResponse } from '../../../src/helpdesk/incident-sla.js';

const HOUR = 3_600_000;
const office: BusinessCalendar = { timezone: 'Europe/Amsterdam', hours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }, holidays: [] };
const at = (iso: string) => new Date(iso);

describe('incident SLA clocks', () => {
  it('stores both due instants and clears a clock’s due instant once it stops', () => {
    const sla = openSla(office, { responseMs: HOUR, resolutionMs: 8 * HOUR }, at('2026-04-14T06:00:00Z'));
    expect(sla.responseDueAt).toBe('2026-04-14T07:00:00.000Z');
    expect(sla.resolutionDueAt).toBe('2026-04-14T14:00:00.000Z');
    const responded = stopResponse(office, sla, at('2026-04-14T06:20:00Z'));
    expect(responded.responseDueAt).toBeNull();
    expect(responded.resolutionDueAt).toBe('2026-04-14T14:00:00.000Z');
  });

  it('pauses both running clocks while waiting for a window and moves them by the paused business time', () => {
    const sla = openSla(office, { responseMs: HOUR, resolutionMs: 8 * HOUR }, at('2026-04-14T06:00:00Z'));
    const paused = pauseSla(office, sla, at('2026-04-14T08:00:00Z'));
    expect(paused.resolutionDueAt).toBeNull();
    // Window opens Saturday 22:00: paused business time is Tue 10:00-18:00 (8 h) + Wed..Fri (30 h).
    const resumed = resumeSla(office, paused, at('2026-04-18T20:00:00Z'));
    expect(resumed.resolution.pausedMs).toBe(38 * HOUR);
    // 6 h were left at the pause: Monday 08:00 + 6 h = 14:00 CEST.
    expect(resumed.resolutionDueAt).toBe('2026-04-20T12:00:00.000Z');
  });

  it('announces near-breach and breach once each, in time order', () => {
    const sla = openSla(office, { responseMs: HOUR, resolutionMs: 8 * HOUR }, at('2026-04-14T06:00:00Z'));
    expect(dueMilestones(office, sla, at('2026-04-14T07:30:00Z')).map((m) => `${m.clock}.${m.milestone}`)).toEqual(['response.near-breach', 'response.breached']);
    const announced = { ...sla, emitted: ['response.near-breach', 'response.breached'] as typeof sla.emitted };
    expect(dueMilestones(office, announced, at('2026-04-14T14:00:00Z')).map((m) => `${m.clock}.${m.milestone}`)).toEqual(['resolution.near-breach', 'resolution.breached']);
  });

  it('follows a priority change with new targets from the same start', () => {
    const sla = openSla(office, { responseMs: HOUR, resolutionMs: 8 * HOUR }, at('2026-04-14T06:00:00Z'));
    expect(retargetSla(office, sla, { responseMs: HOUR / 2, resolutionMs: 4 * HOUR }).resolutionDueAt).toBe('2026-04-14T10:00:00.000Z');
  });

  it('counts the time an incident spent resolved as paused when it is reopened', () => {
    const sla = openSla(office, { responseMs: HOUR, resolutionMs: 8 * HOUR }, at('2026-04-14T06:00:00Z'));
    const resolved = stopResolution(office, sla, at('2026-04-14T08:00:00Z'));
    expect(resolved.resolutionDueAt).toBeNull();
    const reopened = reopenResolution(office, resolved, at('2026-04-14T10:00:00Z'));
    expect(reopened.resolutionDueAt).toBe('2026-04-14T16:00:00.000Z');
  });
});
