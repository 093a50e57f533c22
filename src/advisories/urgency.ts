/**
 * The urgency policy (redback.yaml `policies.urgency`, overridden per customer by `contract.urgency` in the
 * inventory): an advisory is urgent when its highest CVSS base score is at or above the threshold, when one of its
 * CVEs is in the CISA KEV catalog (and `kev_is_urgent`), or when the vendor's own severity word is one of
 * `urgent_severities`. Pure: the caller passes the KEV hits.
 */
import { findCustomer, type ResolvedConfig } from '../config/index.js';
import type { Advisory } from './model.js';

export const SEVERITIES = ['critical', 'important', 'moderate', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface UrgencyPolicy {
  cvssThreshold: number;
  kevIsUrgent: boolean;
  urgentSeverities: readonly Severity[];
}

export interface UrgencyAssessment {
  urgent: boolean;
  /** Why, in words (empty when not urgent). */
  reasons: string[];
  /** The severity the contract's emergency term is looked up by: the highest of the vendor's word and the CVSS band; KEV makes it critical. */
  severity: Severity | null;
  vendorSeverity: Severity | null;
  maxCvss: number | null;
  kevCves: string[];
}

/** Vendor words on their own scales: Red Hat Critical/Important/Moderate/Low, GHSA CRITICAL/HIGH/MODERATE/LOW, Ubuntu priorities. */
export function normaliseSeverity(text: string | undefined | null): Severity | null {
  const word = (text ?? '').trim().toLowerCase();
  if (word === 'critical') return 'critical';
  if (word === 'important' || word === 'high') return 'important';
  if (word === 'moderate' || word === 'medium') return 'moderate';
  if (word === 'low' || word === 'negligible') return 'low';
  return null;
}

/** CVSS v3 qualitative bands (FIRST): 9.0+ critical, 7.0+ high (important), 4.0+ medium (moderate), above 0 low. */
export function severityOfScore(score: number | null): Severity | null {
  if (score === null || score <= 0) return null;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'important';
  if (score >= 4) return 'moderate';
  return 'low';
}

const rank = (s: Severity | null): number => (s === null ? -1 : SEVERITIES.length - SEVERITIES.indexOf(s));
export const higherSeverity = (a: Severity | null, b: Severity | null): Severity | null => (rank(a) >= rank(b) ? a : b);

export function vendorSeverityOf(advisory: Pick<Advisory, 'severityText' | 'vulnerabilities'>): Severity | null {
  let severity = normaliseSeverity(advisory.severityText);
  for (const vulnerability of advisory.vulnerabilities) {
    for (const threat of vulnerability.threats) if (threat.category === 'impact') severity = higherSeverity(severity, normaliseSeverity(threat.details));
  }
  return severity;
}

export function maxCvssOf(advisory: Pick<Advisory, 'vulnerabilities'>): number | null {
  let max: number | null = null;
  for (const vulnerability of advisory.vulnerabilities) for (const score of vulnerability.cvss) if (max === null || score.baseScore > max) max = score.baseScore;
  return max;
}

export function assessUrgency(advisory: Pick<Advisory, 'severityText' | 'vulnerabilities'>, kevCves: readonly string[], policy: UrgencyPolicy): UrgencyAssessment {
  const vendorSeverity = vendorSeverityOf(advisory);
  const maxCvss = maxCvssOf(advisory);
  const reasons: string[] = [];
  if (maxCvss !== null && maxCvss >= policy.cvssThreshold) reasons.push(`CVSS ${maxCvss.toFixed(1)} >= threshold ${policy.cvssThreshold}`);
  if (policy.kevIsUrgent && kevCves.length > 0) reasons.push(`in the CISA KEV catalog (${kevCves.join(', ')})`);
  if (vendorSeverity !== null && policy.urgentSeverities.includes(vendorSeverity)) reasons.push(`vendor severity ${vendorSeverity} is urgent by policy`);
  let severity = higherSeverity(vendorSeverity, severityOfScore(maxCvss));
  if (kevCves.length > 0) severity = 'critical';
  return { urgent: reasons.length > 0, reasons, severity, vendorSeverity, maxCvss, kevCves: [...kevCves] };
}

/** A customer's effective urgency policy and which of its keys come from the customer's contract. */
export interface CustomerUrgencyPolicy {
  policy: UrgencyPolicy;
  /** redback.yaml key names the contract overrides (`cvss_threshold`, `kev_is_urgent`, `urgent_severities`). */
  overridden: string[];
}

/**
 * The policy that decides for one customer: `policies.urgency` of redback.yaml with each key the customer's
 * `contract.urgency` gives put in its place. An unknown customer gets the default.
 */
export function urgencyPolicyFor(config: ResolvedConfig, customerId: string): CustomerUrgencyPolicy {
  const defaults = config.settings.policies.urgency;
  const override = findCustomer(config, customerId)?.contract.urgency;
  if (override === undefined) return { policy: defaults, overridden: [] };
  const overridden: string[] = [];
  if (override.cvssThreshold !== undefined) overridden.push('cvss_threshold');
  if (override.kevIsUrgent !== undefined) overridden.push('kev_is_urgent');
  if (override.urgentSeverities !== undefined) overridden.push('urgent_severities');
  return {
    policy: {
      cvssThreshold: override.cvssThreshold ?? defaults.cvssThreshold,
      kevIsUrgent: override.kevIsUrgent ?? defaults.kevIsUrgent,
      urgentSeverities: override.urgentSeverities ?? defaults.urgentSeverities,
    },
    overridden,
  };
}

/** The urgency decision for one customer under its effective policy; reasons that rest on a contract key say so. */
export function assessUrgencyFor(advisory: Pick<Advisory, 'severityText' | 'vulnerabilities'>, kevCves: readonly string[], config: ResolvedConfig, customerId: string): UrgencyAssessment & { overridden: string[] } {
  const { policy, overridden } = urgencyPolicyFor(config, customerId);
  const assessment = assessUrgency(advisory, kevCves, policy);
  const fromContract = (reason: string): string => {
    const key = reason.startsWith('CVSS ') ? 'cvss_threshold' : reason.startsWith('in the CISA KEV') ? 'kev_is_urgent' : 'urgent_severities';
    return overridden.includes(key) ? `${reason} (${customerId}'s contract)` : reason;
  };
  return { ...assessment, reasons: assessment.reasons.map(fromContract), overridden };
}
