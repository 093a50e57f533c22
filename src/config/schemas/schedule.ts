import { z } from 'zod';
import { compileRecurrence } from '../../domain/windows/index.js';
import { baselineSchema } from './baseline.js';
import { countOrPercentSchema, describe, hostCountOrPercentSchema, durationSchema, idSchema, localDateSchema, localTimeSchema, timezoneSchema } from './common.js';

/**
 * `schedules/*.yaml`: one customer's maintenance windows and blackouts. This is the shape; the meaning (an
 * RRULE that never fires, a cutoff longer than the duration, overlaps) is checked by `scheduling/`.
 */

const targetsSchema = z
  .strictObject({
    groups: z.array(idSchema).default([]),
    hosts: z.array(idSchema).default([]),
  })
  .refine((t) => t.groups.length + t.hosts.length > 0, { error: 'expected at least one group or host in targets' });

const serialSchema = z.union([hostCountOrPercentSchema, z.array(hostCountOrPercentSchema).min(1)]);

const rolloutSchema = z
  .strictObject({
    max_concurrency: hostCountOrPercentSchema.optional().describe('hosts running at once: a number or a percentage of the batch'),
    max_errors: countOrPercentSchema.optional().describe('failures tolerated before dispatch stops (exceeded, not equalled)'),
    serial: serialSchema.optional().describe('waves: a size, a percentage, or a list like [1, "10%", "100%"]'),
    customer_concurrency: z.number().int().positive().optional().describe('hosts of this customer running at once'),
  })
  .transform((raw) => ({
    maxConcurrency: raw.max_concurrency,
    maxErrors: raw.max_errors,
    serial: raw.serial === undefined ? undefined : Array.isArray(raw.serial) ? raw.serial : [raw.serial],
    customerConcurrency: raw.customer_concurrency,
  }));
export type RolloutSettings = z.output<typeof rolloutSchema>;

export const windowSchema = z
  .strictObject({
    id: idSchema,
    description: z.string().optional(),
    rrule: z.string().min(1).optional().describe('RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=2TU'),
    cron: z.string().min(1).optional().describe('5-field cron in the window\'s zone, e.g. "0 2 * * 0"'),
    offset_days: z
      .number({ error: (issue) => `expected a whole number of days from -6 to 6, given ${describe(issue.input)}` })
      .int()
      .min(-6)
      .max(6)
      .default(0),
    start: localTimeSchema.optional().describe('local wall-clock start, HH:MM; required with rrule'),
    duration: durationSchema().describe('elapsed time the window stays open'),
    cutoff: durationSchema({ allowZero: true }).default(0).describe('no new work starts after end minus cutoff'),
    targets: targetsSchema,
    playbooks: z.array(idSchema).min(1, { error: 'expected at least one playbook id' }),
    params: z.record(z.string(), z.unknown()).default({}),
    approval: z.enum(['required', 'auto'], { error: (issue) => `expected required or auto, given ${describe(issue.input)}` }).default('required'),
    check_mode: z.boolean().default(false).describe('run the playbooks in check mode (dry run)'),
    lead_time: durationSchema().optional().describe('how long before the window the batch is planned'),
    exclude: z.array(localDateSchema).default([]).describe('local dates without an occurrence, like EXDATE'),
    starts_on: localDateSchema.optional().describe('first local date of the rule (its DTSTART); needed by COUNT, INTERVAL > 1 and rules that repeat its day'),
    rollout: rolloutSchema.optional(),
  })
  .superRefine((raw, ctx) => {
    if ((raw.rrule === undefined) === (raw.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of rrule or cron (they are mutually exclusive)' });
    }
    if (raw.rrule !== undefined && raw.start === undefined) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'expected a local start time HH:MM with rrule' });
    }
    if (raw.cron !== undefined && raw.start !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'start is given by the cron expression; remove start or use rrule' });
    }
    if ((raw.rrule === undefined) !== (raw.cron === undefined) && (raw.cron !== undefined || raw.start !== undefined)) {
      try {
        compileRecurrence({ rrule: raw.rrule, cron: raw.cron, start: raw.start, offsetDays: raw.offset_days, startsOn: raw.starts_on });
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [raw.rrule === undefined ? 'cron' : 'rrule'], message: (error as Error).message });
      }
    }
  })
  .transform((raw) => ({
    id: raw.id,
    description: raw.description,
    rrule: raw.rrule,
    cron: raw.cron,
    offsetDays: raw.offset_days,
    start: raw.start,
    durationMs: raw.duration,
    cutoffMs: raw.cutoff,
    targets: raw.targets,
    playbooks: raw.playbooks,
    params: raw.params,
    approval: raw.approval,
    checkMode: raw.check_mode,
    leadTimeMs: raw.lead_time,
    exclude: raw.exclude,
    startsOn: raw.starts_on,
    rollout: raw.rollout,
  }));
export type WindowInput = z.output<typeof windowSchema>;

export const blackoutSchema = z
  .strictObject({
    id: idSchema,
    from: localDateSchema.describe('first local date, inclusive'),
    to: localDateSchema.describe('last local date, inclusive'),
    reason: z.string().optional(),
  })
  .refine((b) => b.from <= b.to, { error: (issue) => `expected from on or before to, given ${JSON.stringify(issue.input)}`, path: ['to'] });
export type Blackout = z.output<typeof blackoutSchema>;

export const scheduleFileSchema = z
  .strictObject({
    customer: idSchema,
    timezone: timezoneSchema.optional().describe('IANA zone of the windows; defaults to the customer\'s zone'),
    windows: z.array(windowSchema).default([]),
    blackouts: z.array(blackoutSchema).default([]),
    baselines: z.array(baselineSchema).default([]).describe('which updates regular batches take, per customer or host group'),
  });
export type ScheduleFileInput = z.output<typeof scheduleFileSchema>;
