/**
 * The CISA Known Exploited Vulnerabilities catalog, joined to advisories on the CVE id only: vendor and product in KEV
 * are human-readable words, not identifiers.
 */
import { z } from 'zod';
import type { DocumentLimits } from '../limits.js';
import type { Advisory } from '../model.js';
import { AdvisoryRefusedError } from '../problems.js';
import { checkedValue, parseJsonWithinLimits } from '../safe-json.js';
import { zodProblems } from '../zod-problems.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

export const kevEntrySchema = z.object({
  cveID: z.string().regex(/^CVE-[0-9]{4}-[0-9]{4,19}$/, 'expected a CVE id such as CVE-2024-1086'),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string(),
  dateAdded: day,
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: day,
  knownRansomwareCampaignUse: z.string().optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string()).optional(),
});

export const kevCatalogSchema = z.object({
  title: z.string().optional(),
  catalogVersion: z.string(),
  dateReleased: z.string(),
  count: z.number().int().nonnegative(),
  vulnerabilities: z.array(kevEntrySchema),
});

export type KevEntry = z.infer<typeof kevEntrySchema>;

export interface KevCatalog {
  catalogVersion: string;
  dateReleased: string;
  byCve: ReadonlyMap<string, KevEntry>;
}

export function parseKevCatalog(input: Uint8Array | string | object, options: { source?: string; limits?: Partial<DocumentLimits> } = {}): KevCatalog {
  const source = options.source ?? 'KEV catalog';
  const json = input instanceof Uint8Array || typeof input === 'string' ? parseJsonWithinLimits(input, source, options.limits) : checkedValue(input, source, options.limits);
  const parsed = kevCatalogSchema.safeParse(json);
  if (!parsed.success) throw new AdvisoryRefusedError(source, zodProblems(parsed.error, json));
  const byCve = new Map<string, KevEntry>();
  for (const entry of parsed.data.vulnerabilities) byCve.set(entry.cveID, entry);
  return { catalogVersion: parsed.data.catalogVersion, dateReleased: parsed.data.dateReleased, byCve };
}

export interface KevMatch {
  cve: string;
  entry: KevEntry;
  /** `dueDate` is before `today` (YYYY-MM-DD): overdue, maximum urgency. Some entries were due before they were added. */
  overdue: boolean;
}

/** The KEV entries for an advisory's CVEs (CSAF `cve`; OSV id, aliases and upstream — never `related`). */
export function joinKev(advisory: Pick<Advisory, 'cves'>, catalog: KevCatalog, today: string): KevMatch[] {
  return advisory.cves.flatMap((cve) => {
    const entry = catalog.byCve.get(cve);
    return entry === undefined ? [] : [{ cve, entry, overdue: entry.dueDate < today }];
  });
}
