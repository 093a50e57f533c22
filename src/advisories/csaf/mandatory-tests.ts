/**
 * The CSAF 2.0 mandatory tests (§6.1) this project enforces: 6.1.1 missing product id, 6.1.2 product id defined twice,
 * 6.1.3 circular relationships, 6.1.4 missing group id, 6.1.5 group id defined twice, 6.1.6 contradicting product
 * status, 6.1.8 invalid CVSS, 6.1.13 invalid purl, 6.1.14 unsorted revision history, 6.1.16 version not the latest
 * revision, 6.1.23 one CVE in two vulnerabilities, 6.1.30 mixed integer and semantic versioning.
 */
import type { AdvisoryProblem } from '../problems.js';
import { jsonPath } from '../problems.js';
import { parsePurl } from '../identifiers/purl.js';
import { cvssV2Schema, cvssV3SchemaFor } from './cvss.js';
import { collectGroupReferences, collectProductDefinitions, collectProductReferences, type ProductDefinition, referencePath } from './product-tree.js';
import { compareCsafVersions, isIntegerVersion, stripVersionSuffixes } from './revision-numbers.js';
import type { CsafDocument, ProductStatusCategory } from './schema.js';
import { zodProblems } from '../zod-problems.js';

export function runMandatoryTests(document: CsafDocument): AdvisoryProblem[] {
  const definitions = collectProductDefinitions(document.product_tree);
  return [
    ...missingProductIds(document, definitions),
    ...duplicateProductIds(definitions),
    ...circularRelationships(definitions),
    ...missingGroupIds(document),
    ...duplicateGroupIds(document),
    ...contradictingStatus(document),
    ...invalidCvss(document),
    ...invalidPurls(definitions),
    ...unsortedRevisionHistory(document),
    ...versionNotLatest(document),
    ...sameCveTwice(document),
    ...mixedVersioning(document),
  ];
}

function missingProductIds(document: CsafDocument, definitions: ProductDefinition[]): AdvisoryProblem[] {
  const defined = new Set(definitions.map((d) => d.productId));
  return collectProductReferences(document)
    .filter((reference) => !defined.has(reference.productId))
    .map((reference) => ({ test: '6.1.1', path: referencePath(reference), message: `the product id "${reference.productId}" is used here but defined nowhere in the product tree` }));
}

function duplicateProductIds(definitions: ProductDefinition[]): AdvisoryProblem[] {
  const first = new Map<string, ProductDefinition>();
  const problems: AdvisoryProblem[] = [];
  for (const definition of definitions) {
    const earlier = first.get(definition.productId);
    if (earlier === undefined) first.set(definition.productId, definition);
    else problems.push({ test: '6.1.2', path: definition.jsonPath, message: `the product id "${definition.productId}" is already defined at ${earlier.jsonPath}` });
  }
  return problems;
}

/** A relationship must not define a product in terms of itself, directly or through other relationships. */
function circularRelationships(definitions: ProductDefinition[]): AdvisoryProblem[] {
  const edges = new Map<string, string[]>();
  for (const d of definitions) {
    if (d.relationship !== undefined) edges.set(d.productId, [d.relationship.productReference, d.relationship.relatesToProductReference]);
  }
  const problems: AdvisoryProblem[] = [];
  for (const d of definitions) {
    if (d.relationship === undefined) continue;
    const seen = new Set<string>();
    const pending = [...(edges.get(d.productId) ?? [])];
    while (pending.length > 0) {
      const next = pending.pop() as string;
      if (next === d.productId) {
        problems.push({ test: '6.1.3', path: d.jsonPath, message: `the relationship defines "${d.productId}" in terms of itself` });
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(edges.get(next) ?? []));
    }
  }
  return problems;
}

function missingGroupIds(document: CsafDocument): AdvisoryProblem[] {
  const defined = new Set(document.product_tree?.product_groups?.map((g) => g.group_id) ?? []);
  return collectGroupReferences(document)
    .filter((reference) => !defined.has(reference.productId))
    .map((reference) => ({ test: '6.1.4', path: referencePath(reference), message: `the product group id "${reference.productId}" is used here but not defined in product_tree.product_groups` }));
}

function duplicateGroupIds(document: CsafDocument): AdvisoryProblem[] {
  const seen = new Map<string, number>();
  const problems: AdvisoryProblem[] = [];
  document.product_tree?.product_groups?.forEach((group, index) => {
    const earlier = seen.get(group.group_id);
    if (earlier === undefined) seen.set(group.group_id, index);
    else problems.push({ test: '6.1.5', path: jsonPath(['product_tree', 'product_groups', index, 'group_id']), message: `the group id "${group.group_id}" is already defined at product_groups[${earlier}]` });
  });
  return problems;
}

const STATUS_GROUP: Partial<Record<ProductStatusCategory, string>> = {
  first_affected: 'affected',
  known_affected: 'affected',
  last_affected: 'affected',
  known_not_affected: 'not affected',
  first_fixed: 'fixed',
  fixed: 'fixed',
  under_investigation: 'under investigation',
};

function contradictingStatus(document: CsafDocument): AdvisoryProblem[] {
  const problems: AdvisoryProblem[] = [];
  document.vulnerabilities?.forEach((vulnerability, v) => {
    const groupOf = new Map<string, { group: string; category: string }>();
    for (const [category, ids] of Object.entries(vulnerability.product_status ?? {}) as [ProductStatusCategory, string[] | undefined][]) {
      const group = STATUS_GROUP[category];
      if (group === undefined) continue;
      ids?.forEach((productId, i) => {
        const earlier = groupOf.get(productId);
        if (earlier === undefined) groupOf.set(productId, { group, category });
        else if (earlier.group !== group) {
          problems.push({
            test: '6.1.6',
            path: jsonPath(['vulnerabilities', v, 'product_status', category, i]),
            message: `"${productId}" is both ${group} (${category}) and ${earlier.group} (${earlier.category}) for the same vulnerability`,
          });
        }
      });
    }
  });
  return problems;
}

function invalidCvss(document: CsafDocument): AdvisoryProblem[] {
  const problems: AdvisoryProblem[] = [];
  document.vulnerabilities?.forEach((vulnerability, v) =>
    vulnerability.scores?.forEach((score, s) => {
      const checks = [
        ['cvss_v3', score.cvss_v3, cvssV3SchemaFor(score.cvss_v3)],
        ['cvss_v2', score.cvss_v2, cvssV2Schema],
      ] as const;
      for (const [key, value, schema] of checks) {
        if (value === undefined) continue;
        const result = schema.safeParse(value);
        if (result.success) continue;
        problems.push(...zodProblems(result.error, value, ['vulnerabilities', v, 'scores', s, key], '6.1.8').map((p) => ({ ...p, message: `invalid CVSS ${key}: ${p.message}` })));
      }
    }),
  );
  return problems;
}

function invalidPurls(definitions: ProductDefinition[]): AdvisoryProblem[] {
  return definitions
    .filter((d) => d.helper?.purl !== undefined && parsePurl(d.helper.purl) === undefined)
    .map((d) => ({ test: '6.1.13', path: d.jsonPath.replace(/\.product_id$/, '.product_identification_helper.purl'), message: `"${d.helper?.purl}" is not a valid package URL (pkg:type/namespace/name@version)` }));
}

/** Revision history items sorted by date (stable, so equal dates keep document order). */
function historyByDate(document: CsafDocument) {
  return document.document.tracking.revision_history
    .map((item, index) => ({ item, index, time: Date.parse(item.date) }))
    .sort((a, b) => a.time - b.time || a.index - b.index);
}

function unsortedRevisionHistory(document: CsafDocument): AdvisoryProblem[] {
  const sorted = historyByDate(document);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as (typeof sorted)[number];
    const current = sorted[i] as (typeof sorted)[number];
    const order = compareCsafVersions(stripVersionSuffixes(previous.item.number, false), stripVersionSuffixes(current.item.number, false));
    if (order === 1) {
      return [
        {
          test: '6.1.14',
          path: jsonPath(['document', 'tracking', 'revision_history', current.index, 'number']),
          message: `revision "${current.item.number}" (${current.item.date}) is dated after revision "${previous.item.number}" (${previous.item.date}); sorted by date, the numbers must ascend`,
        },
      ];
    }
  }
  return [];
}

function versionNotLatest(document: CsafDocument): AdvisoryProblem[] {
  const tracking = document.document.tracking;
  const latest = historyByDate(document).at(-1);
  if (latest === undefined) return [];
  const draft = tracking.status === 'draft';
  if (stripVersionSuffixes(tracking.version, draft) === stripVersionSuffixes(latest.item.number, draft)) return [];
  return [
    {
      test: '6.1.16',
      path: jsonPath(['document', 'tracking', 'version']),
      message: `the document version is "${tracking.version}" but the latest revision (${latest.item.date}) is numbered "${latest.item.number}"`,
    },
  ];
}

function sameCveTwice(document: CsafDocument): AdvisoryProblem[] {
  const seen = new Map<string, number>();
  const problems: AdvisoryProblem[] = [];
  document.vulnerabilities?.forEach((vulnerability, v) => {
    if (vulnerability.cve === undefined) return;
    const earlier = seen.get(vulnerability.cve);
    if (earlier === undefined) seen.set(vulnerability.cve, v);
    else problems.push({ test: '6.1.23', path: jsonPath(['vulnerabilities', v, 'cve']), message: `${vulnerability.cve} is already the subject of vulnerabilities[${earlier}]` });
  });
  return problems;
}

function mixedVersioning(document: CsafDocument): AdvisoryProblem[] {
  const tracking = document.document.tracking;
  const integer = isIntegerVersion(tracking.version);
  const index = tracking.revision_history.findIndex((item) => isIntegerVersion(item.number) !== integer);
  if (index === -1) return [];
  return [
    {
      test: '6.1.30',
      path: jsonPath(['document', 'tracking', 'revision_history', index, 'number']),
      message: `the document uses ${integer ? 'integer' : 'semantic'} versioning ("${tracking.version}") but this revision is numbered "${tracking.revision_history[index]?.number}"`,
    },
  ];
}
