import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { DURATION_HINT, formatDuration, parseDuration } from '../../domain/duration.js';

/**
 * Field schemas shared by every config file. Messages say what is allowed and echo what was given, because the
 * reader of an error is an engineer fixing a YAML file.
 */

/** Ids: lower-case letters, digits, `-`, `_`, `.`; never `:` (BullMQ refuses it in job ids) nor `/` (our job-id separator). */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
export const idSchema = z
  .string()
  .regex(ID_PATTERN, { error: (issue) => `expected an id of lower-case letters, digits, ".", "_" or "-" (at most 63, no ":" or "/"), given ${JSON.stringify(issue.input)}` });

export function durationSchema(options: { min?: number; allowZero?: boolean; max?: number } = {}) {
  return z.string({ error: (issue) => `expected ${DURATION_HINT}, given ${describe(issue.input)}` }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, given ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (ms === 0 && options.allowZero !== true) {
      ctx.addIssue({ code: 'custom', message: `expected a duration greater than zero, given ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (options.min !== undefined && ms < options.min) {
      ctx.addIssue({ code: 'custom', message: `expected at least ${options.min} ms, given ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    if (options.max !== undefined && ms > options.max) {
      ctx.addIssue({ code: 'custom', message: `expected at most ${formatDuration(options.max)}, given ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return ms;
  });
}

export const timezoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone) && zone.includes('/') || zone === 'UTC', {
  error: (issue) => `expected an IANA time zone such as Europe/Amsterdam or America/New_York, given ${describe(issue.input)}`,
});

/** Local wall-clock time `HH:MM` (24 h). */
export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (issue) => `expected a local time HH:MM (00:00 to 23:59), given ${describe(issue.input)}` });

/** A calendar date `YYYY-MM-DD` that exists. */
export const localDateSchema = z.string().refine((text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text).isValid, {
  error: (issue) => `expected a calendar date YYYY-MM-DD, given ${describe(issue.input)}`,
});

/**
 * A secret is referenced, never written inline: `env:NAME` reads an environment variable at use time,
 * `file:PATH` reads a file (relative paths from the config directory).
 */
export const secretRefSchema = z.string().refine((text) => /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(text) || /^file:.+/.test(text), {
  error: () => 'expected a secret reference env:NAME or file:PATH; secrets may not be written inline in config',
});

export const positiveIntSchema = z.number().int().positive();

/** A number or a percentage string: `5`, `"10%"`. Used by max_concurrency, max_errors, serial. */
export const countOrPercentSchema = z.union([
  z.number().int().min(0),
  z.string().regex(/^(100|[1-9]?\d)(\.\d+)?%$/, { error: (issue) => `expected a whole number or a percentage like "10%", given ${describe(issue.input)}` }),
]);

/**
 * A size of hosts (max_concurrency, a serial wave): like `countOrPercentSchema`, but 0 and "0%" are refused. A
 * percentage that truncates to no host still means one (`src/domain/rollout.ts`), but a 0 written as such is a
 * slip: SSM's MaxConcurrency refuses it too (pattern ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$).
 */
export const hostCountOrPercentSchema = z.union([
  z.number().int().min(1, { error: (issue) => `expected at least 1 host (or a percentage like "10%"), given ${describe(issue.input)} (0 hosts at a time would run nothing; write 1 for one host at a time)` }),
  z.string().regex(/^(100|[1-9]?\d)(\.\d+)?%$/, { error: (issue) => `expected a whole number or a percentage like "10%", given ${describe(issue.input)}` }).refine((text) => Number.parseFloat(text) > 0, {
    error: (issue) => `expected a percentage above 0% like "10%", given ${describe(issue.input)} (0 hosts at a time would run nothing; write 1 for one host at a time)`,
  }),
]);

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
