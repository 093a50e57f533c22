/**
 * The normalised advisory: what the matcher, the urgency policy and the store need, whatever the source format.
 * Everything here is plain data (no functions, no prototypes but Object), so it can be stored as JSON.
 */
import type { VersionRange } from '../domain/versions/index.js';
import type { Nevra } from './identifiers/nevra.js';
import type { PackageUrl } from './identifiers/purl.js';

export type AdvisoryFormat = 'csaf' | 'osv';

/** Who published it and under which id: ids are only unique per publisher. */
export interface AdvisoryIdentity {
  /** CSAF `document.publisher.namespace`; for OSV the database prefix (`osv:DLA`, `osv:GHSA`). */
  publisher: string;
  /** CSAF `document.tracking.id`, OSV `id`. */
  trackingId: string;
}

export interface AdvisoryRevision {
  /** CSAF `tracking.version` (integer or semantic); OSV `modified`. */
  version: string;
  /** CSAF `tracking.current_release_date`; OSV `modified`. ISO 8601. */
  releasedAt: string;
  /** CSAF `tracking.status`; OSV records are `final`, or `withdrawn` when the record says so. */
  status: 'draft' | 'final' | 'interim' | 'withdrawn';
}

export interface CvssScore {
  version: string;
  vectorString: string;
  baseScore: number;
  baseSeverity?: string;
  /** Product ids the score applies to (CSAF); empty for OSV, where a score covers the record. */
  productIds: string[];
}

export interface Threat {
  category: 'exploit_status' | 'impact' | 'target_set';
  details: string;
  productIds: string[];
}

export interface Vulnerability {
  /** CVE id when there is one, else the first other id, else `#<index>`. */
  id: string;
  cve: string | undefined;
  otherIds: string[];
  title: string | undefined;
  cvss: CvssScore[];
  threats: Threat[];
}

/** What a product is, resolved from the CSAF product tree or an OSV package. */
export interface Product {
  /** CSAF product id (never split it: epochs have colons, VEX ids have spaces). OSV: `<ecosystem>/<name>`. */
  productId: string;
  name: string;
  /** Ancestor branches from the root down to the leaf, e.g. vendor → product_family → product_name. */
  path: { category: string; name: string }[];
  cpe: string | undefined;
  purl: PackageUrl | undefined;
  /** Set for RPM packages, from the purl or from an inline NEVRA in the product id. */
  nevra: Nevra | undefined;
  /** CSAF `product_version` leaf: one exact version. */
  version: string | undefined;
  /** CSAF `product_version_range` leaf, parsed; unparsed ranges stay here with their reason. */
  range: VersionRange | undefined;
  modelNumbers: string[];
  /** For "component X in context Y" relationships: the component and the platform. */
  relationship: { category: string; component: Product; platform: Product } | undefined;
}

export type StatusGroup = 'affected' | 'not_affected' | 'fixed' | 'under_investigation' | 'recommended';

export interface Remediation {
  category: 'mitigation' | 'no_fix_planned' | 'none_available' | 'vendor_fix' | 'workaround';
  details: string;
  url: string | undefined;
  restartRequired: string | undefined;
}

/** OSV affected ranges, kept as events so they are evaluated with the ecosystem's own ordering. */
export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  repo: string | undefined;
  events: ({ introduced: string } | { fixed: string } | { last_affected: string } | { limit: string })[];
}

/** One statement "product P has status S for vulnerability V", with what to do about it. */
export interface Finding {
  vulnerabilityId: string;
  status: StatusGroup;
  /** The status as the document wrote it (`first_fixed`, `known_affected`, …). */
  statusDetail: string;
  product: Product;
  remediations: Remediation[];
  /** VEX justifications (CSAF flags) for a not-affected product. */
  justifications: string[];
  /** OSV only: the ecosystem (`Debian:12`, `npm`), its ranges and enumerated versions. */
  ecosystem: string | undefined;
  ranges: OsvRange[];
  versions: string[];
}

export interface Advisory {
  format: AdvisoryFormat;
  identity: AdvisoryIdentity;
  revision: AdvisoryRevision;
  title: string;
  /** CSAF `aggregate_severity.text` or GHSA `database_specific.severity`; free text on the publisher's scale. */
  severityText: string | undefined;
  tlp: string | undefined;
  /** Every CVE the advisory is about (CSAF `cve`; OSV id, aliases and upstream), for the KEV join. */
  cves: string[];
  /** Other ids for the same thing (CSAF tracking aliases, OSV aliases); never OSV `related`. */
  aliases: string[];
  vulnerabilities: Vulnerability[];
  findings: Finding[];
  /** Problems that did not refuse the document (e.g. a mandatory test downgraded for a known publisher quirk). */
  warnings: { test?: string; path: string; message: string }[];
}

/** The identity as one string. The publisher namespace is a URL and has no space, so the first space separates the two. */
export function advisoryKey(identity: AdvisoryIdentity): string {
  return `${identity.publisher} ${identity.trackingId}`;
}
