import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';
import { writeConfigDir } from '../../support/config-dir.js';

/** `policies.missed_window_lookback`: how far back a planner tick records windows that passed while no scheduler ran. */
async function load(policies: string | undefined) {
  const redback = `redis:\n  prefix: test\n${policies === undefined ? '' : `policies:\n  ${policies}\n`}`;
  return await loadConfig({ dir: await writeConfigDir({ 'redback.yaml': redback }), env: {} });
}

async function errorOf(policies: string): Promise<{ path: string; message: string }> {
  try {
    await load(policies);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const issue = error.issues.find((i) => i.severity === 'error');
    if (issue !== undefined) return { path: issue.path, message: issue.message };
  }
  throw new Error('expected the configuration to be rejected, but it loaded');
}

describe('policies.missed_window_lookback', () => {
  it('defaults to 7 days', async () => {
    expect((await load(undefined)).settings.policies.missedWindowLookbackMs).toBe(7 * 86_400_000);
  });

  it('takes a duration, and 0s (record nothing)', async () => {
    expect((await load('missed_window_lookback: 36h')).settings.policies.missedWindowLookbackMs).toBe(36 * 3_600_000);
    expect((await load('missed_window_lookback: 0s')).settings.policies.missedWindowLookbackMs).toBe(0);
  });

  it('refuses more than 90 days and what is not a duration, naming the key and echoing the value', async () => {
    expect(await errorOf('missed_window_lookback: 91d')).toMatchObject({ path: 'policies.missed_window_lookback', message: 'expected at most 90d, given "91d"' });
    expect((await errorOf('missed_window_lookback: a week')).message).toMatch(/expected a duration like 30s.*given "a week"/);
  });
});
