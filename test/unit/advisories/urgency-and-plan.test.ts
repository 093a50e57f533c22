import { describe, expect, it } from 'vitest';
import { assessUrgency, normaliseSeverity, planPreventive, type UrgencyPolicy } from '../../../src/advisories/index.js';
import { loadConfig } from '../../../src/config/index.js';
import type { ExposureEntry } from '../../../src/store/index.js';
import { MINIMAL_CONFIG, writeConfigDir } from '../../support/config-dir.js';

const policy: UrgencyPolicy = { cvssThreshold: 9, kevIsUrgent: true, urgentSeverities: ['critical'] };
const vuln = (score: number | null, impact?: string) => ({
  id: 'CVE-2030-1',
  cve: 'CVE-2030-1',
  otherIds: [],
  title: undefined,
  cvss: score === null ? [] : [{ version: '3.1', vectorString: 'x', baseScore: score, productIds: [] }],
  threats: impact === undefined ? [] : [{ category: 'impact' as const, details: impact, productIds: [] }],
});

describe('urgency policy', () => {
  it('urgent by CVSS at the threshold, not below it', () => {
    expect(assessUrgency({ severityText: undefined, vulnerabilities: [vuln(9.0)] }, [], policy)).toMatchObject({ urgent: true, severity: 'critical', reasons: ['CVSS 9.0 >= threshold 9'] });
    expect(assessUrgency({ severityText: undefined, vulnerabilities: [vuln(8.9)] }, [], policy)).toMatchObject({ urgent: false, severity: 'important', reasons: [] });
  });

  it('urgent by KEV (and then critical), unless kev_is_urgent is false', () => {
    expect(assessUrgency({ severityText: undefined, vulnerabilities: [vuln(5)] }, ['CVE-2030-1'], policy)).toMatchObject({ urgent: true, severity: 'critical' });
    expect(assessUrgency({ severityText: undefined, vulnerabilities: [vuln(5)] }, ['CVE-2030-1'], { ...policy, kevIsUrgent: false }).urgent).toBe(false);
  });

  it('urgent by the vendor severity word (aggregate severity or a CSAF impact threat) when the policy lists it', () => {
    expect(assessUrgency({ severityText: 'Important', vulnerabilities: [vuln(null)] }, [], policy).urgent).toBe(false);
    expect(assessUrgency({ severityText: 'Important', vulnerabilities: [vuln(null)] }, [], { ...policy, urgentSeverities: ['critical', 'important'] })).toMatchObject({ urgent: true, severity: 'important' });
    expect(assessUrgency({ severityText: undefined, vulnerabilities: [vuln(null, 'Critical')] }, [], policy)).toMatchObject({ urgent: true, vendorSeverity: 'critical' });
    expect(['CRITICAL', 'HIGH', 'MODERATE', 'medium', 'Low', 'whatever'].map(normaliseSeverity)).toEqual(['critical', 'important', 'moderate', 'moderate', 'low', null]);
  });
});

describe('preventive plan', () => {
  const entry = (hostId: string, packageName: string): ExposureEntry => ({ hostId, customerId: 'acme', packageName, arch: 'amd64', installedVersion: '1', fixedVersion: '2', vulnerabilityIds: ['X'] });

  it('the next window when it ends before the due time; an emergency window from now to the due time when it does not', async () => {
    // acme-weekly: Sundays 02:00-05:00 Europe/Amsterdam; emergency_patch critical 72h, low 30d.
    const config = await loadConfig({
      dir: await writeConfigDir({
        'inventory/acme.yaml': MINIMAL_CONFIG['inventory/acme.yaml']!.replace('        5: { response: 2d, resolution: 30d }\n', '        5: { response: 2d, resolution: 30d }\n      emergency_patch: { critical: 72h, low: 30d }\n'),
      }),
      env: {},
    });
    const nowMs = Date.parse('2030-01-01T10:00:00Z'); // a Tuesday: the next Sunday window is 2030-01-06 01:00Z
    const critical = planPreventive(config, { advisoryId: 'adv.1', customerId: 'acme', severity: 'critical', entries: [entry('web-01', 'openssl')], nowMs });
    expect(critical.dueAt).toBe('2030-01-04T10:00:00.000Z');
    expect(critical.groups).toHaveLength(1);
    expect(critical.groups[0]).toMatchObject({ emergency: true, approval: 'required', windowId: 'acme-weekly', hostIds: ['web-01'], packages: ['openssl'], windowStart: '2030-01-01T10:00:00.000Z', windowEnd: '2030-01-04T10:00:00.000Z', cutoffAt: '2030-01-04T09:00:00.000Z' });
    expect(critical.groups[0]!.params).toEqual({ packages: [{ name: 'openssl' }] });

    const low = planPreventive(config, { advisoryId: 'adv.1', customerId: 'acme', severity: 'low', entries: [entry('web-01', 'openssl')], nowMs });
    expect(low.groups[0]).toMatchObject({ emergency: false, approval: 'required', windowStart: '2030-01-06T01:00:00.000Z', windowEnd: '2030-01-06T04:00:00.000Z' });
    expect(low.groups[0]!.batchId).toMatch(/^acme-weekly@20300106T010000Z\+adv\.1-[0-9a-f]{6}$/);

    const unknown = planPreventive(config, { advisoryId: 'adv.1', customerId: 'acme', severity: 'low', entries: [entry('gone-01', 'openssl')], nowMs });
    expect(unknown).toMatchObject({ groups: [], unplannable: ['gone-01'] });
  });
});
