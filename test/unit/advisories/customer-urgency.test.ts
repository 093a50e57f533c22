import { describe, expect, it } from 'vitest';
import { assessUrgencyFor, urgencyPolicyFor } from '../../../src/advisories/index.js';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.js';
import { ConfigError, type ConfigIssue } from '../../../src/errors.js';
import { MINIMAL_CONFIG, writeConfigDir } from '../../support/config-dir.js';

/**
 * Per-customer urgency: `contract.urgency` in the customer's inventory entry overrides `policies.urgency` of
 * redback.yaml key by key, and the urgency decision for a customer uses that customer's effective policy.
 */
const acme = MINIMAL_CONFIG['inventory/acme.yaml']!;
const SLA = '        5: { response: 2d, resolution: 30d }\n';
const withAcmeUrgency = (yaml: string): string => acme.replace(SLA, `${SLA}      urgency: ${yaml}\n`);
const customer = (id: string, urgency?: string) => `customers:
  - id: ${id}
    name: ${id}
    timezone: UTC
    contract:
      business_hours: 24x7
      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
${urgency === undefined ? '' : `      urgency: ${urgency}\n`}`;

async function configWith(files: Record<string, string>): Promise<ResolvedConfig> {
  return loadConfig({ dir: await writeConfigDir({ 'redback.yaml': 'redis:\n  prefix: test\npolicies:\n  urgency: { cvss_threshold: 9, kev_is_urgent: true, urgent_severities: [critical] }\n', ...files }), env: {} });
}

async function errorsOf(files: Record<string, string>): Promise<ConfigIssue[]> {
  try {
    await configWith(files);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.filter((i) => i.severity === 'error');
    throw error;
  }
  throw new Error('expected the configuration to be rejected, but it loaded');
}

const vuln = (score: number | null) => ({
  id: 'CVE-2030-7',
  cve: 'CVE-2030-7',
  otherIds: [],
  title: undefined,
  cvss: score === null ? [] : [{ version: '3.1', vectorString: 'x', baseScore: score, productIds: [] }],
  threats: [],
});

describe('effective urgency policy per customer', () => {
  it('a customer without contract.urgency gets policies.urgency; with it, each key given replaces the default one and the rest stay', async () => {
    const config = await configWith({
      'inventory/acme.yaml': withAcmeUrgency('{ cvss_threshold: 7 }'),
      'inventory/beta.yaml': customer('beta'),
      'inventory/gamma.yaml': customer('gamma', '{ kev_is_urgent: false, urgent_severities: [critical, important] }'),
    });
    expect(urgencyPolicyFor(config, 'beta')).toEqual({ policy: { cvssThreshold: 9, kevIsUrgent: true, urgentSeverities: ['critical'] }, overridden: [] });
    expect(urgencyPolicyFor(config, 'acme')).toEqual({ policy: { cvssThreshold: 7, kevIsUrgent: true, urgentSeverities: ['critical'] }, overridden: ['cvss_threshold'] });
    expect(urgencyPolicyFor(config, 'gamma')).toEqual({ policy: { cvssThreshold: 9, kevIsUrgent: false, urgentSeverities: ['critical', 'important'] }, overridden: ['kev_is_urgent', 'urgent_severities'] });
    expect(urgencyPolicyFor(config, 'nobody').overridden).toEqual([]);
  });

  it('the same advisory is urgent for one customer and not for another: CVSS threshold, KEV and vendor severity each decided by the customer\'s policy', async () => {
    const config = await configWith({
      'inventory/acme.yaml': withAcmeUrgency('{ cvss_threshold: 7 }'),
      'inventory/beta.yaml': customer('beta'),
      'inventory/gamma.yaml': customer('gamma', '{ kev_is_urgent: false, urgent_severities: [critical, important] }'),
    });
    // CVSS 7.5, no KEV, no vendor word: urgent only where the threshold is 7.
    const cvss75 = { severityText: undefined, vulnerabilities: [vuln(7.5)] };
    expect(assessUrgencyFor(cvss75, [], config, 'acme')).toMatchObject({ urgent: true, severity: 'important', reasons: ["CVSS 7.5 >= threshold 7 (acme's contract)"], overridden: ['cvss_threshold'] });
    expect(assessUrgencyFor(cvss75, [], config, 'beta')).toMatchObject({ urgent: false, severity: 'important', reasons: [], overridden: [] });

    // In KEV: urgent by default, not for gamma whose contract says kev_is_urgent: false (severity stays critical).
    const inKev = { severityText: undefined, vulnerabilities: [vuln(5.0)] };
    expect(assessUrgencyFor(inKev, ['CVE-2030-7'], config, 'beta')).toMatchObject({ urgent: true, reasons: ['in the CISA KEV catalog (CVE-2030-7)'] });
    expect(assessUrgencyFor(inKev, ['CVE-2030-7'], config, 'gamma')).toMatchObject({ urgent: false, severity: 'critical', reasons: [] });

    // Vendor says Important: urgent for gamma only.
    const important = { severityText: 'Important', vulnerabilities: [vuln(null)] };
    expect(assessUrgencyFor(important, [], config, 'gamma')).toMatchObject({ urgent: true, reasons: ["vendor severity important is urgent by policy (gamma's contract)"] });
    expect(assessUrgencyFor(important, [], config, 'acme').urgent).toBe(false);
    expect(assessUrgencyFor(important, [], config, 'beta').urgent).toBe(false);
  });

  it('a contract may also be stricter off: urgent_severities: [] and a threshold of 10 leave only KEV', async () => {
    const config = await configWith({ 'inventory/acme.yaml': withAcmeUrgency('{ cvss_threshold: 10, urgent_severities: [] }') });
    expect(assessUrgencyFor({ severityText: 'Critical', vulnerabilities: [vuln(9.8)] }, [], config, 'acme').urgent).toBe(false);
    expect(assessUrgencyFor({ severityText: 'Critical', vulnerabilities: [vuln(9.8)] }, ['CVE-2030-7'], config, 'acme').urgent).toBe(true);
  });
});

describe('contract.urgency: bad input gets a clear error naming file and path', () => {
  const at = async (yaml: string, path: string): Promise<ConfigIssue> => {
    const issues = await errorsOf({ 'inventory/acme.yaml': withAcmeUrgency(yaml) });
    const issue = issues.find((i) => i.path === path);
    if (issue === undefined) throw new Error(`expected an issue at ${path}; got ${JSON.stringify(issues, null, 2)}`);
    expect(issue.file).toBe('inventory/acme.yaml');
    return issue;
  };

  it('a threshold outside 0..10', async () => {
    expect((await at('{ cvss_threshold: 11 }', 'customers[0].contract.urgency.cvss_threshold')).message).toBe('expected a CVSS base score from 0 to 10, given number 11');
    expect((await at('{ cvss_threshold: "high" }', 'customers[0].contract.urgency.cvss_threshold')).message).toBe('expected a CVSS base score from 0 to 10, given "high"');
  });

  it('an unknown severity, a repeated one, a non-boolean kev_is_urgent', async () => {
    expect((await at('{ urgent_severities: [severe] }', 'customers[0].contract.urgency.urgent_severities[0]')).message).toBe('expected one of critical, important, moderate, low, given "severe"');
    expect((await at('{ urgent_severities: [critical, critical] }', 'customers[0].contract.urgency.urgent_severities')).message).toBe('expected each severity at most once');
    expect((await at('{ kev_is_urgent: "yes" }', 'customers[0].contract.urgency.kev_is_urgent')).message).toBe('expected true or false, given "yes"');
  });

  it('an unknown key (a typo) and an empty override', async () => {
    expect((await at('{ cvss: 7 }', 'customers[0].contract.urgency.cvss')).message).toMatch(/unknown key "cvss"/);
    expect((await at('{}', 'customers[0].contract.urgency')).message).toBe('expected at least one of cvss_threshold, kev_is_urgent, urgent_severities (leave urgency out to use policies.urgency of redback.yaml)');
  });
});
