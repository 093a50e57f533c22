import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

const CONFIG = 'test/fixtures/calendar/basic';

interface CalendarJson {
  occurrences: Array<{ id: string; windowId: string; customerId: string; start: string; end: string; cutoff: string; timezone: string; playbooks: string[]; hosts: string[] }>;
  removed: Array<{ id: string; windowId: string; start: string; reason: string }>;
}

async function calendarJson(...args: string[]): Promise<CalendarJson> {
  const result = await runCli(['calendar', '--config', CONFIG, '--json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as CalendarJson;
}

const startsOf = (calendar: CalendarJson, windowId: string) => calendar.occurrences.filter((o) => o.windowId === windowId).map((o) => o.start);

describe('redback calendar (the real CLI against fixture configs)', () => {
  it('--json gives Patch Tuesday + 2 for every month of 2026 and 2027, last Sunday + 3 across month ends, and the New York window through both DST gaps', async () => {
    const calendar = await calendarJson('--from', '2026-01-01', '--to', '2027-12-31');
    const thursdays = [
      '2026-01-15', '2026-02-12', '2026-03-12', '2026-04-16', '2026-05-14', '2026-06-11', '2026-07-16', '2026-08-13', '2026-09-10', '2026-10-15', '2026-11-12', '2026-12-10',
      '2027-01-14', '2027-02-11', '2027-03-11', '2027-04-15', '2027-05-13', '2027-06-10', '2027-07-15', '2027-08-12', '2027-09-16', '2027-10-14', '2027-11-11', '2027-12-16',
    ];
    const patch = calendar.occurrences.filter((o) => o.windowId === 'acme-patch-thursday');
    expect(patch.map((o) => o.start.slice(0, 16))).toEqual(thursdays.map((d) => `${d}T22:00`));
    expect(patch[2]).toEqual({
      id: 'acme-patch-thursday@20260312T210000Z', windowId: 'acme-patch-thursday', customerId: 'acme', timezone: 'Europe/Amsterdam',
      start: '2026-03-12T22:00:00+01:00', end: '2026-03-13T02:00:00+01:00', cutoff: '2026-03-13T01:15:00+01:00',
      playbooks: ['security-patch'], hosts: ['acme-web-01', 'acme-db-01'],
    });
    // Last Sundays of 2026 from a printed calendar, plus three days.
    expect(startsOf(calendar, 'acme-last-sunday').filter((s) => s < '2027').map((s) => s.slice(0, 10))).toEqual([
      '2026-01-28', '2026-02-25', '2026-04-01', '2026-04-29', '2026-06-03', '2026-07-01', '2026-07-29', '2026-09-02', '2026-09-30', '2026-10-28', '2026-12-02', '2026-12-30',
    ].filter((d) => d !== '2026-12-30'));
    expect(calendar.removed.find((r) => r.windowId === 'acme-last-sunday')).toEqual({
      id: 'acme-last-sunday@20261230T190000Z', windowId: 'acme-last-sunday', start: '2026-12-30T20:00:00+01:00', reason: 'blackout acme-year-end (customer acme) from 2026-12-20 to 2027-01-03: year-end freeze',
    });
    const ny = startsOf(calendar, 'hudson-sunday-night');
    expect(ny.filter((s) => s >= '2026-03-01' && s < '2026-04-01')).toEqual(['2026-03-01T21:00:00-05:00', '2026-03-08T21:00:00-04:00', '2026-03-15T21:00:00-04:00', '2026-03-22T21:00:00-04:00', '2026-03-29T21:00:00-04:00']);
    expect(ny.filter((s) => s >= '2026-10-18' && s < '2026-11-09')).toEqual(['2026-10-18T21:00:00-04:00', '2026-10-25T21:00:00-04:00', '2026-11-01T21:00:00-05:00', '2026-11-08T21:00:00-05:00']);
  });

  it('--json: 02:30 Amsterdam on the spring-forward Sunday starts 03:30 CEST; on the fall-back Sunday once, at 02:30 CEST', async () => {
    const calendar = await calendarJson('--customer', 'acme', '--from', '2026-03-22', '--to', '2026-11-01');
    const sundays = calendar.occurrences.filter((o) => o.windowId === 'acme-dst-0230');
    expect(sundays.find((o) => o.start.startsWith('2026-03-29'))).toMatchObject({ start: '2026-03-29T03:30:00+02:00', end: '2026-03-29T04:30:00+02:00', id: 'acme-dst-0230@20260329T013000Z' });
    expect(sundays.filter((o) => o.start.startsWith('2026-10-25'))).toEqual([
      expect.objectContaining({ start: '2026-10-25T02:30:00+02:00', end: '2026-10-25T02:30:00+01:00', cutoff: '2026-10-25T02:15:00+01:00' }),
    ]);
    expect(calendar.occurrences.every((o) => o.customerId === 'acme')).toBe(true);
  });

  it('--json: the year-end blackout and the global New Year blackout remove occurrences, each reported with its reason', async () => {
    const calendar = await calendarJson('--host', 'acme-web-01', '--from', '2026-12-14', '--to', '2027-01-11');
    expect(calendar.occurrences.map((o) => o.id)).toEqual(['acme-dst-0230@20270110T013000Z']);
    expect(calendar.removed).toEqual([
      { id: 'acme-dst-0230@20261220T013000Z', windowId: 'acme-dst-0230', start: '2026-12-20T02:30:00+01:00', reason: 'blackout acme-year-end (customer acme) from 2026-12-20 to 2027-01-03: year-end freeze' },
      { id: 'acme-dst-0230@20261227T013000Z', windowId: 'acme-dst-0230', start: '2026-12-27T02:30:00+01:00', reason: 'excluded date 2026-12-27 (exclude)' },
      { id: 'acme-dst-0230@20270103T013000Z', windowId: 'acme-dst-0230', start: '2027-01-03T02:30:00+01:00', reason: 'blackout acme-year-end (customer acme) from 2026-12-20 to 2027-01-03: year-end freeze' },
    ]);
    const hudson = await calendarJson('--customer', 'hudson', '--from', '2026-12-27', '--to', '2027-01-04');
    // Sunday 2027-01-03 21:00 in New York is not in the one-day global freeze (2027-01-01 local).
    expect(hudson.occurrences.map((o) => o.start)).toEqual(['2026-12-27T21:00:00-05:00', '2027-01-03T21:00:00-05:00']);
    expect(hudson.removed).toEqual([]);
  });

  it('--ics parses with node-ical into the same instants and ids as --json', async () => {
    const args = ['--from', '2026-01-01', '--to', '2026-12-31'];
    const json = await calendarJson(...args);
    const result = await runCli(['calendar', '--config', CONFIG, '--ics', ...args]);
    expect(result.code).toBe(0);
    const events = Object.values(ical.sync.parseICS(result.stdout)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
    const fromIcs = events.map((e) => [e.uid, e.start.toISOString(), e.end?.toISOString()]).sort();
    const fromJson = json.occurrences.map((o) => [`${o.id.replace('@', '-')}@redback-uptime`, new Date(o.start).toISOString(), new Date(o.end).toISOString()]).sort();
    expect(fromIcs).toEqual(fromJson);
    expect(events.length).toBeGreaterThan(100);
  });

  it('the table shows local time with its offset and UTC beside it, and lists removed occurrences', async () => {
    const result = await runCli(['calendar', '--config', CONFIG, '--customer', 'acme', '--from', '2026-12-01', '--to', '2026-12-31']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acme-patch-thursday +acme +Europe\/Amsterdam +Thu 2026-12-10 22:00 \+01:00 +Fri 2026-12-11 02:00 \+01:00 +01:15 +2026-12-10 21:00Z +2026-12-11 01:00Z +2 +security-patch$/m);
    expect(result.stdout).toMatch(/^Removed$/m);
    expect(result.stdout).toMatch(/^acme-dst-0230 +Sun 2026-12-27 02:30 \+01:00 +2026-12-27 01:30Z +excluded date 2026-12-27 \(exclude\)$/m);
  });

  it('bad arguments get a clear message and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', '2026-01-01'], /expected both --from and --to/],
      [['--from', '2026-02-30', '--to', '2026-03-01'], /--from: expected a date that exists, given "2026-02-30"/],
      [['--from', '2026-03-01T00:00', '--to', '2026-03-02'], /a time without an offset names no instant: add Z or \+01:00/],
      [['--from', '2026-03-02', '--to', '2026-03-01'], /expected --from before --to/],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--customer', 'nobody'], /--customer: expected the id of an inventory customer \(acme, hudson\), given "nobody"/],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--host', 'nohost'], /--host: expected the id of an inventory host, given "nohost"/],
      [['--from', '2026-03-01', '--to', '2026-03-02', '--json', '--ics'], /expected one of --json or --ics, given both/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['calendar', '--config', CONFIG, ...args])));
    results.forEach((result, i) => {
      expect({ args: cases[i]?.[0], code: result.code, stdout: result.stdout }).toEqual({ args: cases[i]?.[0], code: 2, stdout: '' });
      expect(result.stderr).toMatch(cases[i]?.[1] as RegExp);
    });
  });
});
