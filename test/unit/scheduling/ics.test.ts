import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import { expandWindow, renderIcs, type WindowSpec } from '../../../src/scheduling/index.js';

const HOUR = 3_600_000;
const base: Omit<WindowSpec, 'id'> = { customerId: 'acme', timezone: 'Europe/Amsterdam', offsetDays: 0, durationMs: HOUR, cutoffMs: 0, exclude: [], playbooks: ['update'] };

function events(text: string) {
  return Object.values(ical.sync.parseICS(text)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
}

describe('ICS rendering', () => {
  it('a real iCalendar parser reads the same instants as the occurrences, including both DST Sundays', () => {
    const { occurrences } = expandWindow({ ...base, id: 'sunday-0230', rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '02:30' }, { from: '2026-03-01T00:00:00Z', to: '2026-11-30T00:00:00Z' });
    const parsed = events(renderIcs(occurrences, { now: Date.parse('2026-01-01T00:00:00Z') }));
    expect(parsed).toHaveLength(occurrences.length);
    expect(parsed.map((e) => [e.uid, e.start.toISOString(), e.end?.toISOString()])).toEqual(
      occurrences.map((o) => [`${o.id.replace('@', '-')}@redback-uptime`, new Date(o.startMs).toISOString(), new Date(o.endMs).toISOString()]),
    );
    expect(parsed.find((e) => e.uid.includes('20261025'))?.start.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('writes CRLF lines of at most 75 octets, a VTIMEZONE with the real transitions, escaped text and stable UIDs', () => {
    const { occurrences } = expandWindow({ ...base, id: 'w', rrule: 'FREQ=MONTHLY;BYDAY=2TU', start: '22:00', playbooks: ['a,b;c', 'x'.repeat(120)] }, { from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z', hostIds: ['h1'] });
    const text = renderIcs(occurrences, { now: 0, name: 'Acme' });
    const lines = text.split('\r\n');
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain('TZID:Europe/Amsterdam');
    expect(unfolded).toContain('BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200');
    expect(unfolded).toContain('BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100');
    expect(unfolded).toContain('UID:w-20260113T210000Z@redback-uptime');
    expect(unfolded).toContain('DTSTART;TZID=Europe/Amsterdam:20260113T220000');
    expect(unfolded).toContain('Playbooks: a\\,b\\;c\\, xxx');
    expect(renderIcs(occurrences, { now: 0, name: 'Acme' })).toBe(text);
  });
});
