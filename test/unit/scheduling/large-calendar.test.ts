import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { buildCalendar, parseRangeBound } from '../../../src/scheduling/index.js';
import { writeConfigDir } from '../../support/config-dir.js';

describe('buildCalendar over a large range', () => {
  it('returns every occurrence of a five-minute window over two years (more than a call can take as arguments)', async () => {
    const config = await loadConfig({
      dir: await writeConfigDir({
        'schedules/acme.yaml': 'customer: acme\nwindows:\n  - id: every-5\n    cron: "*/5 * * * *"\n    duration: 4m\n    targets: { groups: [linux-prod] }\n    playbooks: [update]\n',
      }),
      env: {},
    });
    const calendar = buildCalendar(config, { from: parseRangeBound('2026-01-01', 'from'), to: parseRangeBound('2027-12-31', 'to') });
    // 730 days of 288 five-minute slots, less the hour Amsterdam skips each spring, plus the one repeated each autumn
    // that starts only once.
    expect(calendar.occurrences.length).toBe(730 * 288 - 2 * 12);
    expect(calendar.occurrences[0]!.start).toBe('2026-01-01T00:00:00+01:00');
  });
});
