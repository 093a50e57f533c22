/**
 * `npm run bench:calendar`: expand one year of maintenance windows for 10,000 hosts across 500 windows, and
 * compare against a baseline measured in the same run (a naive day-by-day luxon walk over the same windows and
 * year, the least work an expander that asks luxon about every day must do). Prints times, occurrences per
 * second and ratios; not a test, figures depend on the machine.
 */
import { cpus } from 'node:os';
import { DateTime } from 'luxon';
import type { MaintenanceWindow, ResolvedConfig } from '../src/config/index.js';
import { buildCalendar, expandWindow, renderIcs, validateSchedules, type BlackoutPeriod } from '../src/scheduling/index.js';

const WINDOWS = 500;
const HOSTS = 10_000;
const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo', 'Europe/London', 'Asia/Kolkata', 'UTC', 'America/Los_Angeles', 'Pacific/Auckland'];
const RULES: Array<Partial<Pick<MaintenanceWindow, 'rrule' | 'cron' | 'start' | 'offsetDays'>>> = [
  { rrule: 'FREQ=MONTHLY;BYDAY=2TU', start: '22:00', offsetDays: 2 },
  { cron: '0 2 * * 0', offsetDays: 0 },
  { rrule: 'FREQ=DAILY', start: '01:30', offsetDays: 0 },
  { rrule: 'FREQ=MONTHLY;BYDAY=-1SU', start: '20:00', offsetDays: 3 },
  { rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', start: '23:00', offsetDays: 0 },
  { cron: '30 3 * * 2,4', offsetDays: 0 },
  { rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '02:30', offsetDays: 0 },
];
const FROM = '2026-01-01T00:00:00Z';
const TO = '2027-01-01T00:00:00Z';

function syntheticConfig(): ResolvedConfig {
  const customers = Array.from({ length: 50 }, (_, c) => ({ id: `c${c}`, name: `Customer ${c}`, timezone: ZONES[c % ZONES.length] as string }));
  const hosts = Array.from({ length: HOSTS }, (_, h) => ({ id: `h${h}`, customerId: `c${Math.floor(h / (HOSTS / 50))}`, groups: [`g${Math.floor(h / (HOSTS / WINDOWS))}`], os: 'debian' }));
  const windows: MaintenanceWindow[] = Array.from({ length: WINDOWS }, (_, w) => {
    const customer = customers[Math.floor(w / (WINDOWS / 50))] as (typeof customers)[number];
    return {
      id: `w${w}`, customerId: customer.id, timezone: customer.timezone, file: `schedules/${customer.id}.yaml`,
      ...(RULES[w % RULES.length] as (typeof RULES)[number]),
      durationMs: 3 * 3_600_000, cutoffMs: 30 * 60_000, exclude: ['2026-12-27'],
      targets: { groups: [`g${w}`], hosts: [] }, playbooks: ['security-patch'], approval: 'required',
    } as unknown as MaintenanceWindow;
  });
  const blackouts: BlackoutPeriod[] = [{ id: 'year-end', from: '2026-12-20', to: '2027-01-03', scope: 'customer' }];
  const schedules = customers.map((c) => ({ file: `schedules/${c.id}.yaml`, customerId: c.id, timezone: c.timezone, windows: windows.filter((w) => w.customerId === c.id), blackouts }));
  return { dir: '.', settings: { blackouts: [] }, customers, hosts, schedules, windows, playbooks: [], sources: {}, warnings: [] } as unknown as ResolvedConfig;
}

function time<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

function baselineDayWalk(windows: readonly MaintenanceWindow[]): number {
  let days = 0;
  for (const w of windows) {
    let day = DateTime.fromISO(FROM, { zone: w.timezone }).startOf('day');
    const end = DateTime.fromISO(TO, { zone: w.timezone });
    while (day < end) {
      days += day.weekday > 0 ? 1 : 0;
      day = day.plus({ days: 1 });
    }
  }
  return days;
}

const config = syntheticConfig();
const hostIds = new Map(config.windows.map((w) => [w.id, config.hosts.filter((h) => h.groups.includes(w.targets.groups[0] as string)).map((h) => h.id)]));
const blackouts = config.schedules[0]?.blackouts.map((b) => ({ ...b, scope: 'customer' as const })) ?? [];

// Warm up the zone tables and the JIT once, as a long-running scheduler would be.
for (const w of config.windows.slice(0, 50)) expandWindow(w, { from: FROM, to: TO, blackouts });

const baseline = time(() => baselineDayWalk(config.windows));
const expand = time(() => config.windows.reduce((n, w) => n + expandWindow(w, { from: FROM, to: TO, blackouts, hostIds: hostIds.get(w.id) }).occurrences.length, 0));
const calendar = time(() => buildCalendar(config, { from: { kind: 'instant', ms: Date.parse(FROM) }, to: { kind: 'instant', ms: Date.parse(TO) } }));
const ics = time(() => renderIcs(calendar.value.occurrences, { now: 0 }));
const validate = time(() => validateSchedules(config, { now: Date.parse(FROM) }));

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
const hostOccurrences = calendar.value.occurrences.reduce((n, o) => n + o.hostIds.length, 0);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
console.log(`workload: ${WINDOWS} windows, ${HOSTS.toLocaleString('en-US')} hosts, ${FROM.slice(0, 10)}..${TO.slice(0, 10)}, ${ZONES.length} zones`);
console.log(`baseline  luxon day-by-day walk        ${baseline.ms.toFixed(0).padStart(6)} ms  (${baseline.value.toLocaleString('en-US')} window-days)`);
console.log(`expand    expandWindow x ${WINDOWS}            ${expand.ms.toFixed(0).padStart(6)} ms  ${expand.value.toLocaleString('en-US')} occurrences, ${rate(expand.value, expand.ms)} occurrences/s, ${(expand.ms / baseline.ms).toFixed(2)}x baseline`);
console.log(`calendar  buildCalendar (hosts, blackouts)  ${calendar.ms.toFixed(0).padStart(6)} ms  ${calendar.value.occurrences.length.toLocaleString('en-US')} occurrences, ${calendar.value.removed.length} removed, ${hostOccurrences.toLocaleString('en-US')} host-occurrences, ${rate(calendar.value.occurrences.length, calendar.ms)} occurrences/s, ${(calendar.ms / baseline.ms).toFixed(2)}x baseline`);
console.log(`ics       renderIcs                     ${ics.ms.toFixed(0).padStart(6)} ms  ${(ics.value.length / 1e6).toFixed(1)} MB, ${(ics.ms / baseline.ms).toFixed(2)}x baseline`);
console.log(`validate  validateSchedules             ${validate.ms.toFixed(0).padStart(6)} ms  ${validate.value.length} issues, ${(validate.ms / baseline.ms).toFixed(2)}x baseline`);
