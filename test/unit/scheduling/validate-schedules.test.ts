import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { nextOccurrenceForHost, validateSchedules } from '../../../src/scheduling/index.js';
import { writeConfigDir } from '../../support/config-dir.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

async function configWith(schedule: string, extra: Record<string, string> = {}) {
  return await loadConfig({ dir: await writeConfigDir({ 'schedules/acme.yaml': `customer: acme\n${schedule}`, ...extra }) });
}

const window = (id: string, rule: string, more = '') => `  - id: ${id}\n    ${rule}\n    duration: 3h\n    targets: { groups: [linux-prod] }\n    playbooks: [update]\n${more}`;

describe('validateSchedules', () => {
  it('accepts ordinary windows', async () => {
    const config = await configWith(`windows:\n${window('a', 'cron: "0 2 * * 0"')}`);
    expect(validateSchedules(config, { now: NOW })).toEqual([]);
  });

  it('an RRULE that never fires is an error naming the window and the file', async () => {
    const config = await configWith(`windows:\n${window('feb30', 'rrule: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"', '    start: "22:00"\n')}`);
    const issues = validateSchedules(config, { now: NOW });
    expect(issues).toEqual([expect.objectContaining({ file: 'schedules/acme.yaml', path: 'windows[0].rrule', severity: 'error' })]);
    expect(issues[0]?.message).toMatch(/window feb30: rrule "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" never fires/);
  });

  it('an UNTIL that has passed is a warning, not an error', async () => {
    const config = await configWith(`windows:\n${window('old', 'rrule: "FREQ=WEEKLY;BYDAY=SU;UNTIL=20251231"', '    start: "02:00"\n')}`);
    expect(validateSchedules(config, { now: NOW })).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/no occurrence after today/) })]);
  });

  it('a duration longer than the gap between occurrences is an error (cron within a day, and daily over DST)', async () => {
    const cron = await configWith(`windows:\n${window('twice', 'cron: "0 1,3 * * *"')}`);
    expect(validateSchedules(cron, { now: NOW })).toEqual([expect.objectContaining({ path: 'windows[0].duration', severity: 'error', message: expect.stringMatching(/given 3h while the cron fires 2h apart/) })]);
    // 23h30m fits every day but one: 02:00 on the spring-forward day moves to 03:00 CEST, and the next day starts 23 h later.
    const daily = await configWith(`windows:\n  - id: daily\n    rrule: FREQ=DAILY\n    start: "02:00"\n    duration: 23h30m\n    targets: { groups: [linux-prod] }\n    playbooks: [update]\n`);
    expect(validateSchedules(daily, { now: NOW })[0]?.message).toMatch(/occurrences start 23h apart \(from 2026-03-29T01:00:00.000Z\)/);
  });

  it('a cutoff not shorter than the duration is an error', async () => {
    const config = await configWith(`windows:\n${window('c', 'cron: "0 2 * * 0"', '    cutoff: 3h\n')}`);
    expect(validateSchedules(config, { now: NOW })).toEqual([expect.objectContaining({ path: 'windows[0].cutoff', severity: 'error', message: expect.stringMatching(/expected a cutoff shorter than the duration 3h, given 3h/) })]);
  });

  it('two windows that overlap for the same host give one warning naming both and the first clash', async () => {
    const config = await configWith(`windows:\n${window('sunday', 'cron: "0 2 * * 0"')}${window('monthly', 'rrule: "FREQ=MONTHLY;BYDAY=1SU"', '    start: "04:00"\n')}`);
    const issues = validateSchedules(config, { now: NOW });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'warning', path: 'windows[1]' });
    expect(issues[0]?.message).toBe('windows sunday and monthly overlap for 1 host (web-01), first sunday 2026-01-04T02:00:00+01:00..2026-01-04T05:00:00+01:00 and monthly 2026-01-04T04:00:00+01:00..2026-01-04T07:00:00+01:00; move one of them if that is not intended');
  });

  it('windows of the same host that only touch (one ends as the next starts) do not overlap', async () => {
    const config = await configWith(`windows:\n${window('sunday', 'cron: "0 2 * * 0"')}${window('monthly', 'rrule: "FREQ=MONTHLY;BYDAY=1SU"', '    start: "05:00"\n')}`);
    expect(validateSchedules(config, { now: NOW })).toEqual([]);
  });

  it('the config loader rejects unparseable rules with file, path and the parser message', async () => {
    await expect(configWith(`windows:\n${window('bad', 'rrule: "FREQ=MONTHLY;BYDAY=9TU"', '    start: "22:00"\n')}`)).rejects.toMatchObject({
      issues: [expect.objectContaining({ file: 'schedules/acme.yaml', path: 'windows[0].rrule', message: expect.stringMatching(/ordinal from 1 to 5 or -5 to -1, given 9TU/) })],
    });
    await expect(configWith(`windows:\n${window('bad', 'cron: "0 2 * * 2#2"')}`)).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'windows[0].cron', message: expect.stringMatching(/use rrule FREQ=MONTHLY;BYDAY=2TU/) })],
    });
    await expect(configWith(`windows:\n${window('bad', 'rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"', '    start: "22:00"\n')}`)).rejects.toMatchObject({
      issues: [expect.objectContaining({ message: expect.stringMatching(/INTERVAL=2 needs a first date .* add starts_on: YYYY-MM-DD/) })],
    });
  });
});

describe('nextOccurrenceForHost', () => {
  it('takes the earliest occurrence over every window of the host, strictly after T, skipping blackouts', async () => {
    const config = await configWith(
      `windows:\n${window('sunday', 'cron: "0 2 * * 0"')}${window('thursday', 'rrule: "FREQ=MONTHLY;BYDAY=2TU"', '    offset_days: 2\n    start: "22:00"\n')}blackouts:\n  - id: freeze\n    from: "2026-03-01"\n    to: "2026-03-11"\n`,
    );
    expect(nextOccurrenceForHost(config, 'web-01', '2026-02-10T00:00:00Z')?.id).toBe('thursday@20260212T210000Z');
    expect(nextOccurrenceForHost(config, 'web-01', '2026-02-12T21:00:00Z')?.id).toBe('sunday@20260215T010000Z');
    // The freeze removes 03-01 and 03-08; the next is Patch Thursday 03-12.
    expect(nextOccurrenceForHost(config, 'web-01', '2026-02-28T00:00:00Z')?.id).toBe('thursday@20260312T210000Z');
    expect(() => nextOccurrenceForHost(config, 'nope', NOW)).toThrow(/expected the id of an inventory host, given "nope"/);
  });
});
