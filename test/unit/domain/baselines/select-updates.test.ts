import { describe, expect, it } from 'vitest';
import { baselineForHost, matchesPackage, selectUpdates, type AvailableUpdate, type Baseline } from '../../../../src/domain/baselines/index.js';

const now = new Date('2025-11-20T12:00:00Z');

function update(name: string, overrides: Partial<AvailableUpdate> = {}): AvailableUpdate {
  return { name, arch: 'amd64', from: '1.0', to: '1.1', classification: 'security', severity: 'important', releasedAt: '2025-11-01T00:00:00Z', revisedAt: null, ...overrides };
}

function baseline(overrides: Partial<Baseline> = {}): Baseline {
  return { id: 'b', groups: [], autoApproveAfterDays: 0, anchor: 'first', approved: [], rejected: [], holds: [], ...overrides };
}

function decisionOf(b: Baseline | undefined, u: AvailableUpdate) {
  const [decision] = selectUpdates(b, [u], now);
  return decision!;
}

describe('baseline selection', () => {
  it('takes every update when no baseline applies', () => {
    expect(decisionOf(undefined, update('openssl'))).toMatchObject({ taken: true, reason: 'no-baseline' });
  });

  it('filters by classification and by severity', () => {
    const b = baseline({ classifications: ['security'], severities: ['critical', 'important'] });
    expect(decisionOf(b, update('vim', { classification: 'enhancement' }))).toMatchObject({ taken: false, reason: 'classification' });
    expect(decisionOf(b, update('curl', { severity: 'low' }))).toMatchObject({ taken: false, reason: 'severity' });
    expect(decisionOf(b, update('curl', { severity: null }))).toMatchObject({ taken: false, reason: 'severity' });
    expect(decisionOf(b, update('openssl'))).toMatchObject({ taken: true, reason: 'eligible' });
  });

  it('waits N days from the anchor release before taking an update', () => {
    const b = baseline({ autoApproveAfterDays: 7, anchor: 'latest' });
    expect(decisionOf(b, update('openssl', { releasedAt: '2025-11-15T00:00:00Z' }))).toMatchObject({ taken: false, reason: 'not-yet-eligible' });
    expect(decisionOf(b, update('openssl', { releasedAt: '2025-11-13T12:00:00Z' }))).toMatchObject({ taken: true, reason: 'eligible' });
    // Revised on the 15th: the latest anchor restarts the delay.
    expect(decisionOf(b, update('openssl', { releasedAt: '2025-11-01T00:00:00Z', revisedAt: '2025-11-15T00:00:00Z' }))).toMatchObject({ taken: false, reason: 'not-yet-eligible' });
    expect(decisionOf({ ...b, anchor: 'first' }, update('openssl', { releasedAt: '2025-11-01T00:00:00Z', revisedAt: '2025-11-15T00:00:00Z' }))).toMatchObject({ taken: true });
  });

  it('takes an explicitly approved package despite filters and delay', () => {
    const b = baseline({ classifications: ['security'], autoApproveAfterDays: 30, approved: ['tzdata'] });
    expect(decisionOf(b, update('tzdata', { classification: 'enhancement', releasedAt: '2025-11-19T00:00:00Z' }))).toMatchObject({ taken: true, reason: 'approved-explicitly' });
  });

  it('lets a rejection win over an explicit approval, also by pattern', () => {
    const b = baseline({ approved: ['linux-image-*'], rejected: ['linux-image-6.1*'] });
    expect(decisionOf(b, update('linux-image-6.1.0-27-amd64'))).toMatchObject({ taken: false, reason: 'rejected' });
    expect(decisionOf(b, update('linux-image-6.12.0-1-amd64'))).toMatchObject({ taken: false, reason: 'rejected' });
    expect(decisionOf(b, update('linux-image-5.10.0-1-amd64'))).toMatchObject({ taken: true, reason: 'approved-explicitly' });
  });

  it('keeps a held package at its pinned version', () => {
    const b = baseline({ holds: [{ package: 'postgresql-15', version: '15.8-1' }] });
    expect(decisionOf(b, update('postgresql-15', { from: '15.7-1', to: '15.9-1' }))).toMatchObject({ taken: false, reason: 'held' });
    expect(decisionOf(b, update('postgresql-15', { from: '15.7-1', to: '15.8-1' }))).toMatchObject({ taken: true });
  });

  it('prefers a group baseline over the customer default', () => {
    const fallback = baseline({ id: 'default' });
    const db = baseline({ id: 'databases', groups: ['db'] });
    expect(baselineForHost([fallback, db], ['web', 'db'])?.id).toBe('databases');
    expect(baselineForHost([fallback, db], ['web'])?.id).toBe('default');
    expect(baselineForHost([db], ['web'])).toBeUndefined();
  });

  it('matches package patterns only where they have a star', () => {
    expect(matchesPackage('openssl', 'openssl')).toBe(true);
    expect(matchesPackage('openssl', 'openssl-libs')).toBe(false);
    expect(matchesPackage('openssl*', 'openssl-libs')).toBe(true);
    expect(matchesPackage('lib.so', 'libxso')).toBe(false);
  });
});
