/**
 * Which hosts an advisory exposes, from an indexed inventory, in memory. Red Hat CSAF: platform CPE plus binary
 * package name and arch, installed EVR below the fixed EVR. OSV: ecosystem release plus source package, the range
 * evaluated with the ecosystem's ordering. Whatever cannot be decided is "needs review", never "not affected".
 */
import { type CompareVersions, compareRpmVersions, comparatorForScheme, VersionSyntaxError } from '../../domain/versions/index.js';
import { cpeCovers, parseCpe } from '../identifiers/cpe.js';
import { evrString } from '../identifiers/nevra.js';
import type { Advisory, Finding, Product } from '../model.js';
import { osvFindingContains, schemeForEcosystem } from '../osv/evaluate.js';
import type { IndexedPackage, InventoryIndex } from './inventory.js';

export interface Exposure {
  hostId: string;
  packageName: string;
  arch: string | undefined;
  installedVersion: string;
  /** Undefined when the vendor has no fix (`none_available`, `no_fix_planned`, or an open OSV range): alert, do not patch. */
  fixedVersion: string | undefined;
  vulnerabilityIds: string[];
}

export interface ReviewItem {
  hostId: string | undefined;
  packageName: string | undefined;
  productId: string | undefined;
  vulnerabilityIds: string[];
  reason: string;
}

export interface RemediationStep {
  packageName: string;
  arch: string | undefined;
  /** Update to at least this version. */
  fixedVersion: string;
  hostIds: string[];
}

export interface AdvisoryMatch {
  affected: Exposure[];
  needsReview: ReviewItem[];
  remediation: RemediationStep[];
}

class MatchCollector {
  private readonly exposures = new Map<string, Exposure>();
  private readonly reviews = new Map<string, ReviewItem>();

  /** `compare` orders fixed versions of this package's scheme. */
  expose(entry: IndexedPackage, packageName: string, installedVersion: string, fixedVersion: string | undefined, vulnerabilityId: string, compare: CompareVersions): void {
    const key = `${entry.host.hostId}\u0000${packageName}\u0000${entry.pkg.arch ?? ''}`;
    const existing = this.exposures.get(key);
    if (existing === undefined) {
      this.exposures.set(key, { hostId: entry.host.hostId, packageName, arch: entry.pkg.arch, installedVersion, fixedVersion, vulnerabilityIds: [vulnerabilityId] });
      return;
    }
    if (!existing.vulnerabilityIds.includes(vulnerabilityId)) existing.vulnerabilityIds.push(vulnerabilityId);
    // Several vulnerabilities may name different fixed builds: the host needs the highest of them.
    if (fixedVersion !== undefined && (existing.fixedVersion === undefined || compare(fixedVersion, existing.fixedVersion) > 0)) existing.fixedVersion = fixedVersion;
  }

  review(item: Omit<ReviewItem, 'vulnerabilityIds'>, vulnerabilityId: string): void {
    const key = `${item.hostId ?? ''}\u0000${item.packageName ?? ''}\u0000${item.productId ?? ''}\u0000${item.reason}`;
    const existing = this.reviews.get(key);
    if (existing === undefined) this.reviews.set(key, { ...item, vulnerabilityIds: [vulnerabilityId] });
    else if (!existing.vulnerabilityIds.includes(vulnerabilityId)) existing.vulnerabilityIds.push(vulnerabilityId);
  }

  result(): AdvisoryMatch {
    const affected = [...this.exposures.values()];
    const steps = new Map<string, RemediationStep>();
    for (const exposure of affected) {
      if (exposure.fixedVersion === undefined) continue;
      const key = `${exposure.packageName}\u0000${exposure.arch ?? ''}\u0000${exposure.fixedVersion}`;
      const step = steps.get(key);
      if (step === undefined) steps.set(key, { packageName: exposure.packageName, arch: exposure.arch, fixedVersion: exposure.fixedVersion, hostIds: [exposure.hostId] });
      else step.hostIds.push(exposure.hostId);
    }
    // Hosts exposed on one package are not "needs review" for it as well.
    const exposed = new Set(affected.map((e) => `${e.hostId}\u0000${e.packageName}`));
    const needsReview = [...this.reviews.values()].filter((r) => r.hostId === undefined || !exposed.has(`${r.hostId}\u0000${r.packageName ?? ''}`));
    return { affected, needsReview, remediation: [...steps.values()] };
  }
}

const ignoreForHosts = (product: Product) => product.nevra?.arch === 'src' || product.purl?.qualifiers['arch'] === 'src';

/** The package a CSAF product names, and the platform it belongs to (through a relationship). */
function packageOf(product: Product): { component: Product; platform: Product | undefined } {
  return product.relationship === undefined ? { component: product, platform: undefined } : { component: product.relationship.component, platform: product.relationship.platform };
}

function matchCsafFinding(finding: Finding, index: InventoryIndex, collector: MatchCollector): void {
  if (finding.status === 'not_affected' || finding.status === 'recommended') return;
  const { component, platform } = packageOf(finding.product);
  if (ignoreForHosts(component)) return;
  const name = component.nevra?.name ?? (component.purl?.type === 'rpm' ? component.purl.name : undefined);
  if (name === undefined) {
    if (finding.status !== 'fixed') {
      collector.review({ hostId: undefined, packageName: undefined, productId: finding.product.productId, reason: `"${finding.product.name}" has no package identifier (purl or NEVRA) to match against host inventories` }, finding.vulnerabilityId);
    }
    return;
  }
  const platformCpe = platform?.cpe === undefined ? undefined : parseCpe(platform.cpe);
  const arch = component.nevra?.arch ?? component.purl?.qualifiers['arch'];
  const orders = new Map<string, -1 | 0 | 1>();
  for (const entry of index.byName.get(name) ?? []) {
    if (entry.host.packageFormat !== 'rpm') continue;
    if (arch !== undefined && entry.pkg.arch !== undefined && arch !== 'noarch' && entry.pkg.arch !== arch) continue;
    const where = { hostId: entry.host.hostId, packageName: name, productId: finding.product.productId };
    if (platformCpe === undefined) {
      collector.review({ ...where, reason: 'the advisory does not say which platform this package belongs to (no platform CPE)' }, finding.vulnerabilityId);
      continue;
    }
    if (entry.hostCpes.length === 0) {
      collector.review({ ...where, reason: 'the host inventory has no platform CPE, so the stream cannot be compared' }, finding.vulnerabilityId);
      continue;
    }
    if (!entry.hostCpes.some((cpe) => cpeCovers(platformCpe, cpe))) continue;
    if (finding.status === 'under_investigation') {
      collector.review({ ...where, reason: 'the vendor is still investigating whether this package is affected' }, finding.vulnerabilityId);
      continue;
    }
    if (component.nevra === undefined) {
      // A versionless known_affected (Red Hat VEX): the whole stream is affected.
      if (finding.status === 'affected') collector.expose(entry, name, entry.pkg.version, undefined, finding.vulnerabilityId, compareRpmVersions);
      else collector.review({ ...where, reason: 'the advisory names the fixed package without a version' }, finding.vulnerabilityId);
      continue;
    }
    const listed = evrString(component.nevra);
    try {
      let order = orders.get(entry.pkg.version);
      if (order === undefined) {
        order = compareRpmVersions(entry.pkg.version, listed);
        orders.set(entry.pkg.version, order);
      }
      // fixed: everything below the fixed build is exposed; affected: that exact build is.
      if (finding.status === 'fixed' && order < 0) collector.expose(entry, name, entry.pkg.version, listed, finding.vulnerabilityId, compareRpmVersions);
      if (finding.status === 'affected' && order === 0) collector.expose(entry, name, entry.pkg.version, undefined, finding.vulnerabilityId, compareRpmVersions);
    } catch (error) {
      if (!(error instanceof VersionSyntaxError)) throw error;
      collector.review({ ...where, reason: error.message }, finding.vulnerabilityId);
    }
  }
}

/** The lowest `fixed` event above the installed version: the version to update to. */
function nextFixedVersion(finding: Finding, installed: string, compare: CompareVersions): string | undefined {
  const fixes = finding.ranges.filter((r) => r.type !== 'GIT').flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : [])));
  try {
    return fixes.filter((fixed) => compare(fixed, installed) > 0).sort(compare)[0];
  } catch (error) {
    if (error instanceof VersionSyntaxError) return undefined;
    throw error;
  }
}

function matchOsvFinding(finding: Finding, index: InventoryIndex, collector: MatchCollector): void {
  const ecosystem = finding.ecosystem;
  const scheme = ecosystem === undefined ? undefined : schemeForEcosystem(ecosystem);
  const name = finding.product.name;
  const osPackages = scheme === 'deb' || ecosystem?.startsWith('Alpine') === true;
  // Debian, Ubuntu and Alpine records name source packages; the inventory maps binaries to their source.
  const candidates = (osPackages ? index.bySourceName.get(name) : index.byName.get(name)) ?? [];
  // Fleets share builds: evaluate each distinct installed version once per finding, not once per host.
  const verdicts = new Map<string, ReturnType<typeof osvFindingContains>>();
  const fixes = new Map<string, string | undefined>();
  const compare = (scheme === undefined ? undefined : comparatorForScheme(scheme)) ?? unordered;
  for (const entry of candidates) {
    if (entry.host.osvEcosystem !== ecosystem) continue;
    const installed = osPackages ? (entry.pkg.sourceVersion ?? entry.pkg.version) : entry.pkg.version;
    let verdict = verdicts.get(installed);
    if (verdict === undefined) {
      verdict = osvFindingContains(finding, installed);
      verdicts.set(installed, verdict);
    }
    if (verdict.verdict === 'needs-review') {
      collector.review({ hostId: entry.host.hostId, packageName: entry.pkg.name, productId: undefined, reason: verdict.reason }, finding.vulnerabilityId);
    } else if (verdict.verdict === 'in-range') {
      if (!fixes.has(installed)) fixes.set(installed, nextFixedVersion(finding, installed, compare));
      // The fix is a source version; the host updates the binary package built from it.
      collector.expose(entry, entry.pkg.name, installed, fixes.get(installed), finding.vulnerabilityId, compare);
    }
  }
}

export function matchAdvisory(advisory: Advisory, index: InventoryIndex): AdvisoryMatch {
  const collector = new MatchCollector();
  for (const finding of advisory.findings) {
    if (advisory.format === 'csaf') matchCsafFinding(finding, index, collector);
    else matchOsvFinding(finding, index, collector);
  }
  return collector.result();
}

/** For versions we cannot order: keep the first fix seen rather than guess. */
const unordered: CompareVersions = () => 0;
