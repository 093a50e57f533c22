/**
 * The urgency policy (redback.yaml `policies.urgency`): an advisory is urgent when its highest CVSS base score is at
 * or above the threshold, when one of its CVEs is in the CISA KEV catalog (and `kev_is_urgent`), or when the
 * vendor's own severity word is one of `urgent_severities`. Pure: the caller passes the KEV hits.
 */
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
