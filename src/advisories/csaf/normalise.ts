/**
 * Turns a validated CSAF document into the normalised advisory: products resolved through the tree (ancestor path,
 * relationships, purl, CPE, NEVRA, version or range), product groups expanded, one finding per product status entry.
 */
import { parseVersionRange } from '../../domain/versions/index.js';
import { nevraFromPurl, parseNevra } from '../identifiers/nevra.js';
import { parsePurl } from '../identifiers/purl.js';
import type { Advisory, CvssScore, Finding, Product, Remediation, StatusGroup, Threat, Vulnerability } from '../model.js';
import { collectProductDefinitions, type ProductDefinition } from './product-tree.js';
import type { CsafDocument, CsafVulnerability, ProductStatusCategory } from './schema.js';

const STATUS_GROUP: Record<ProductStatusCategory, StatusGroup> = {
  first_affected: 'affected',
  known_affected: 'affected',
  last_affected: 'affected',
  known_not_affected: 'not_affected',
  first_fixed: 'fixed',
  fixed: 'fixed',
  under_investigation: 'under_investigation',
  recommended: 'recommended',
};

/** Resolves product ids to products, following relationships; the mandatory tests have ruled out cycles and gaps. */
function productResolver(definitions: ProductDefinition[]): (productId: string) => Product {
  const byId = new Map(definitions.map((d) => [d.productId, d]));
  const resolved = new Map<string, Product>();
  const resolve = (productId: string): Product => {
    const cached = resolved.get(productId);
    if (cached !== undefined) return cached;
    const definition = byId.get(productId);
    if (definition === undefined) throw new Error(`product id "${productId}" was not validated before normalising (a bug: run the mandatory tests first)`);
    const product = productFromDefinition(definition);
    resolved.set(productId, product);
    if (definition.relationship !== undefined) {
      product.relationship = {
        category: definition.relationship.category,
        component: resolve(definition.relationship.productReference),
        platform: resolve(definition.relationship.relatesToProductReference),
      };
    }
    return product;
  };
  return resolve;
}

export function productFromDefinition(definition: ProductDefinition): Product {
  const leaf = definition.path.at(-1);
  const purl = definition.helper?.purl === undefined ? undefined : parsePurl(definition.helper.purl);
  const architecture = definition.path.find((step) => step.category === 'architecture')?.name;
  let nevra = purl === undefined ? undefined : nevraFromPurl(purl);
  // Older Red Hat documents carry no purl: the NEVRA is only in the product_version name under an architecture branch.
  if (nevra === undefined && purl === undefined && leaf?.category === 'product_version' && architecture !== undefined) {
    const parsed = parseNevra(leaf.name);
    if (parsed !== undefined && parsed.arch === architecture) nevra = parsed;
  }
  return {
    productId: definition.productId,
    name: definition.name,
    path: definition.path,
    cpe: definition.helper?.cpe,
    purl,
    nevra,
    version: leaf?.category === 'product_version' ? leaf.name : undefined,
    range: leaf?.category === 'product_version_range' ? parseVersionRange(leaf.name) : undefined,
    modelNumbers: definition.helper?.model_numbers ?? [],
    relationship: undefined,
  };
}

function groupExpander(document: CsafDocument): (productIds?: string[], groupIds?: string[]) => string[] {
  const groups = new Map((document.product_tree?.product_groups ?? []).map((g) => [g.group_id, g.product_ids]));
  return (productIds = [], groupIds = []) => [...new Set([...productIds, ...groupIds.flatMap((id) => groups.get(id) ?? [])])];
}

function vulnerabilityId(vulnerability: CsafVulnerability, index: number): string {
  return vulnerability.cve ?? (vulnerability.ids?.[0] === undefined ? `#${index}` : `${vulnerability.ids[0].system_name}:${vulnerability.ids[0].text}`);
}

function cvssScores(vulnerability: CsafVulnerability): CvssScore[] {
  const scores: CvssScore[] = [];
  for (const score of vulnerability.scores ?? []) {
    for (const value of [score.cvss_v3, score.cvss_v2]) {
      if (value === undefined) continue;
      // 6.1.8 has validated the shape already.
      const cvss = value as { version: string; vectorString: string; baseScore: number; baseSeverity?: string };
      scores.push({ version: cvss.version, vectorString: cvss.vectorString, baseScore: cvss.baseScore, baseSeverity: cvss.baseSeverity, productIds: score.products });
    }
  }
  return scores;
}

export function normaliseCsaf(document: CsafDocument): Advisory {
  const resolve = productResolver(collectProductDefinitions(document.product_tree));
  const expand = groupExpander(document);
  const vulnerabilities: Vulnerability[] = [];
  const findings: Finding[] = [];

  (document.vulnerabilities ?? []).forEach((vulnerability, index) => {
    const id = vulnerabilityId(vulnerability, index);
    const threats: Threat[] = (vulnerability.threats ?? []).map((t) => ({ category: t.category, details: t.details, productIds: expand(t.product_ids, t.group_ids) }));
    vulnerabilities.push({
      id,
      cve: vulnerability.cve,
      otherIds: (vulnerability.ids ?? []).map((i) => `${i.system_name}:${i.text}`),
      title: vulnerability.title,
      cvss: cvssScores(vulnerability),
      threats,
    });

    const remediationsFor = new Map<string, Remediation[]>();
    for (const r of vulnerability.remediations ?? []) {
      const remediation: Remediation = { category: r.category, details: r.details, url: r.url, restartRequired: r.restart_required?.category };
      for (const productId of expand(r.product_ids, r.group_ids)) remediationsFor.set(productId, [...(remediationsFor.get(productId) ?? []), remediation]);
    }
    const justificationsFor = new Map<string, string[]>();
    for (const flag of vulnerability.flags ?? []) {
      for (const productId of expand(flag.product_ids, flag.group_ids)) justificationsFor.set(productId, [...(justificationsFor.get(productId) ?? []), flag.label]);
    }

    for (const [category, productIds] of Object.entries(vulnerability.product_status ?? {}) as [ProductStatusCategory, string[] | undefined][]) {
      for (const productId of productIds ?? []) {
        findings.push({
          vulnerabilityId: id,
          status: STATUS_GROUP[category],
          statusDetail: category,
          product: resolve(productId),
          remediations: remediationsFor.get(productId) ?? [],
          justifications: justificationsFor.get(productId) ?? [],
          ecosystem: undefined,
          ranges: [],
          versions: [],
        });
      }
    }
  });

  const { document: meta } = document;
  const cves = vulnerabilities.flatMap((v) => (v.cve === undefined ? [] : [v.cve]));
  return {
    format: 'csaf',
    identity: { publisher: meta.publisher.namespace, trackingId: meta.tracking.id },
    revision: { version: meta.tracking.version, releasedAt: meta.tracking.current_release_date, status: meta.tracking.status },
    title: meta.title,
    severityText: meta.aggregate_severity?.text,
    tlp: meta.distribution?.tlp?.label,
    cves,
    aliases: meta.tracking.aliases ?? [],
    vulnerabilities,
    findings,
    warnings: [],
  };
}
