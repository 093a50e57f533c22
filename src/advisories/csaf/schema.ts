/**
 * The parts of a CSAF 2.0 document this project reads, as zod schemas. Unknown properties are dropped, not refused:
 * the OASIS JSON schema stays the reference for full conformance. CVSS objects are left `unknown` here because the
 * mandatory test 6.1.8 checks them and must report its own number.
 */
import { z } from 'zod';

const text = z.string().min(1);
const dateTime = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 date-time such as 2024-06-05T12:00:00+00:00' });
const productIds = z.array(text).min(1);
const groupIds = z.array(text).min(1);
/** Integer versioning (`3`) or semantic versioning (`1.0.0`), CSAF §3.1.11. */
export const CSAF_VERSION_PATTERN =
  /^(0|[1-9][0-9]*)$|^((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?)$/;
const version = z.string().regex(CSAF_VERSION_PATTERN, 'expected integer versioning ("3") or semantic versioning ("1.0.0")');

export const productIdentificationHelperSchema = z.object({
  cpe: z.string().min(5).optional(),
  purl: z.string().min(7).optional(),
  model_numbers: z.array(text).optional(),
  serial_numbers: z.array(text).optional(),
  skus: z.array(text).optional(),
});

export const fullProductNameSchema = z.object({
  name: text,
  product_id: text,
  product_identification_helper: productIdentificationHelperSchema.optional(),
});

export const BRANCH_CATEGORIES = [
  'architecture',
  'host_name',
  'language',
  'legacy',
  'patch_level',
  'product_family',
  'product_name',
  'product_version',
  'product_version_range',
  'service_pack',
  'specification',
  'vendor',
] as const;

export interface CsafBranch {
  category: (typeof BRANCH_CATEGORIES)[number];
  name: string;
  branches?: CsafBranch[] | undefined;
  product?: z.infer<typeof fullProductNameSchema> | undefined;
}

export const branchSchema: z.ZodType<CsafBranch> = z.lazy(() =>
  z
    .object({
      category: z.enum(BRANCH_CATEGORIES),
      name: text,
      branches: z.array(branchSchema).min(1).optional(),
      product: fullProductNameSchema.optional(),
    })
    .refine((b) => (b.branches === undefined) !== (b.product === undefined), 'a branch needs exactly one of "branches" or "product"'),
);

export const RELATIONSHIP_CATEGORIES = ['default_component_of', 'external_component_of', 'installed_on', 'installed_with', 'optional_component_of'] as const;

export const productTreeSchema = z.object({
  branches: z.array(branchSchema).min(1).optional(),
  full_product_names: z.array(fullProductNameSchema).min(1).optional(),
  product_groups: z.array(z.object({ group_id: text, product_ids: z.array(text).min(2), summary: text.optional() })).min(1).optional(),
  relationships: z
    .array(
      z.object({
        category: z.enum(RELATIONSHIP_CATEGORIES),
        full_product_name: fullProductNameSchema,
        product_reference: text,
        relates_to_product_reference: text,
      }),
    )
    .min(1)
    .optional(),
});

export const PRODUCT_STATUS_CATEGORIES = [
  'first_affected',
  'first_fixed',
  'fixed',
  'known_affected',
  'known_not_affected',
  'last_affected',
  'recommended',
  'under_investigation',
] as const;
export type ProductStatusCategory = (typeof PRODUCT_STATUS_CATEGORIES)[number];

export const REMEDIATION_CATEGORIES = ['mitigation', 'no_fix_planned', 'none_available', 'vendor_fix', 'workaround'] as const;
export const RESTART_CATEGORIES = ['connected', 'dependencies', 'machine', 'none', 'parent', 'service', 'system', 'vulnerable_component', 'zone'] as const;
export const FLAG_LABELS = [
  'component_not_present',
  'inline_mitigations_already_exist',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_not_present',
] as const;

const productStatusSchema = z.object(Object.fromEntries(PRODUCT_STATUS_CATEGORIES.map((c) => [c, productIds.optional()])) as Record<ProductStatusCategory, z.ZodOptional<typeof productIds>>);

export const vulnerabilitySchema = z.object({
  cve: z.string().regex(/^CVE-[0-9]{4}-[0-9]{4,}$/, 'expected a CVE id such as CVE-2024-1086').optional(),
  ids: z.array(z.object({ system_name: text, text })).min(1).optional(),
  title: text.optional(),
  cwe: z.object({ id: text, name: text }).optional(),
  discovery_date: dateTime.optional(),
  release_date: dateTime.optional(),
  product_status: productStatusSchema.optional(),
  scores: z.array(z.object({ products: productIds, cvss_v2: z.unknown().optional(), cvss_v3: z.unknown().optional() })).min(1).optional(),
  threats: z
    .array(z.object({ category: z.enum(['exploit_status', 'impact', 'target_set']), details: text, date: dateTime.optional(), product_ids: productIds.optional(), group_ids: groupIds.optional() }))
    .min(1)
    .optional(),
  remediations: z
    .array(
      z.object({
        category: z.enum(REMEDIATION_CATEGORIES),
        details: text,
        date: dateTime.optional(),
        url: z.string().optional(),
        entitlements: z.array(text).optional(),
        product_ids: productIds.optional(),
        group_ids: groupIds.optional(),
        restart_required: z.object({ category: z.enum(RESTART_CATEGORIES), details: text.optional() }).optional(),
      }),
    )
    .min(1)
    .optional(),
  flags: z
    .array(z.object({ label: z.enum(FLAG_LABELS), date: dateTime.optional(), product_ids: productIds.optional(), group_ids: groupIds.optional() }))
    .min(1)
    .optional(),
});

export const csafDocumentSchema = z.object({
  document: z.object({
    category: text,
    csaf_version: z.literal('2.0'),
    title: text,
    lang: z.string().optional(),
    publisher: z.object({
      category: z.enum(['coordinator', 'discoverer', 'other', 'translator', 'user', 'vendor']),
      name: text,
      namespace: z.url({ message: 'expected the publisher namespace as a URL such as https://www.redhat.com' }),
    }),
    aggregate_severity: z.object({ text, namespace: z.string().optional() }).optional(),
    distribution: z
      .object({
        text: text.optional(),
        tlp: z.object({ label: z.enum(['AMBER', 'GREEN', 'RED', 'WHITE']), url: z.string().optional() }).optional(),
      })
      .optional(),
    tracking: z.object({
      id: z.string().regex(/^[\S](.*[\S])?$/, 'expected a tracking id without leading or trailing whitespace'),
      status: z.enum(['draft', 'final', 'interim']),
      version,
      initial_release_date: dateTime,
      current_release_date: dateTime,
      aliases: z.array(text).optional(),
      revision_history: z.array(z.object({ date: dateTime, number: version, summary: text, legacy_version: text.optional() })).min(1),
    }),
  }),
  product_tree: productTreeSchema.optional(),
  vulnerabilities: z.array(vulnerabilitySchema).min(1).optional(),
});

export type CsafDocument = z.infer<typeof csafDocumentSchema>;
export type CsafVulnerability = z.infer<typeof vulnerabilitySchema>;
export type CsafProductTree = z.infer<typeof productTreeSchema>;
export type CsafFullProductName = z.infer<typeof fullProductNameSchema>;
