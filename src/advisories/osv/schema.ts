/** The OSV schema (ossf/osv-schema 1.7) as this project reads it; unknown properties are dropped. */
import { z } from 'zod';

const text = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true, message: 'expected an RFC 3339 timestamp such as 2024-06-05T12:00:00Z' });

const event = z.union([
  z.strictObject({ introduced: text }),
  z.strictObject({ fixed: text }),
  z.strictObject({ last_affected: text }),
  z.strictObject({ limit: text }),
], { message: 'expected an event with exactly one of introduced, fixed, last_affected or limit' });

export const osvRangeSchema = z
  .object({
    type: z.enum(['ECOSYSTEM', 'SEMVER', 'GIT']),
    repo: z.string().optional(),
    events: z.array(event).min(1),
  })
  .superRefine((range, context) => {
    if (!range.events.some((e) => 'introduced' in e)) context.addIssue({ code: 'custom', path: ['events'], message: 'a range needs at least one "introduced" event' });
    if (range.events.some((e) => 'fixed' in e) && range.events.some((e) => 'last_affected' in e)) {
      context.addIssue({ code: 'custom', path: ['events'], message: '"fixed" and "last_affected" must not both appear in one range' });
    }
    if (range.type === 'GIT') {
      if (range.repo === undefined || range.repo === '') context.addIssue({ code: 'custom', path: ['repo'], message: 'a GIT range needs the repository URL in "repo"' });
      range.events.forEach((e, i) => {
        const value = Object.values(e)[0] as string;
        if (value !== '0' && value !== '*' && !/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(value)) {
          context.addIssue({ code: 'custom', path: ['events', i], message: `a GIT event needs a full commit hash, got "${value}"` });
        }
      });
    }
  });

export const osvSeveritySchema = z.object({ type: z.enum(['CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu']), score: text });

export const osvAffectedSchema = z.object({
  package: z.object({ ecosystem: text, name: text, purl: z.string().optional() }).optional(),
  ranges: z.array(osvRangeSchema).optional(),
  versions: z.array(z.string()).optional(),
  severity: z.array(osvSeveritySchema).optional(),
});

export const osvRecordSchema = z.object({
  schema_version: z.string().optional(),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'expected an OSV id such as GHSA-xxxx-xxxx-xxxx or DLA-3008-1'),
  modified: timestamp,
  published: timestamp.optional(),
  withdrawn: timestamp.optional(),
  aliases: z.array(text).optional(),
  upstream: z.array(text).optional(),
  related: z.array(text).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(osvSeveritySchema).optional(),
  affected: z.array(osvAffectedSchema).optional(),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});

export type OsvRecord = z.infer<typeof osvRecordSchema>;
