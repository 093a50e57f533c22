import { z } from 'zod';
import { describe, idSchema } from './common.js';

/**
 * `baselines:` in `schedules/*.yaml`: which updates a regular batch of that customer takes, for the whole
 * customer (no `groups`) or for hosts in the listed groups. Rules and their order: docs/releases.md.
 */
const packagePatternSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.+_:~*-]{0,127}$/, { error: (issue) => `expected a package name, with * as a wildcard (e.g. openssl, linux-image-*), given ${describe(issue.input)}` });

const holdSchema = z.strictObject({
  package: packagePatternSchema,
  version: z.string().min(1).describe('the version the package stays at'),
});

export const baselineSchema = z
  .strictObject({
    id: idSchema,
    groups: z.array(idSchema).default([]).describe('host groups it applies to; none = the customer default'),
    classifications: z.array(z.string().min(1)).min(1).optional().describe('e.g. [security, bugfix]; omitted = all'),
    severities: z
      .array(z.enum(['critical', 'important', 'moderate', 'low', 'none'], { error: (issue) => `expected critical, important, moderate, low or none, given ${describe(issue.input)}` }))
      .min(1)
      .optional()
      .describe('omitted = all; "none" matches updates without a severity'),
    auto_approve_after_days: z
      .number({ error: (issue) => `expected a whole number of days from 0 to 360, given ${describe(issue.input)}` })
      .int()
      .min(0)
      .max(360)
      .default(0)
      .describe('days after the vendor release before an update is taken'),
    anchor: z.enum(['first', 'latest'], { error: (issue) => `expected first or latest, given ${describe(issue.input)}` }).default('first').describe('count the delay from the first release or from the latest revision'),
    approved: z.array(packagePatternSchema).default([]).describe('always taken (unless rejected or held)'),
    rejected: z.array(packagePatternSchema).default([]).describe('never taken; wins over approved'),
    holds: z.array(holdSchema).default([]).describe('packages pinned at a version'),
  })
  .transform((raw) => ({
    id: raw.id,
    groups: raw.groups,
    classifications: raw.classifications,
    severities: raw.severities,
    autoApproveAfterDays: raw.auto_approve_after_days,
    anchor: raw.anchor,
    approved: raw.approved,
    rejected: raw.rejected,
    holds: raw.holds,
  }));
export type BaselineSettings = z.output<typeof baselineSchema>;
