import { z } from 'zod';
import { blackoutSchema } from './schedule.js';
import { customerNoticesSchema } from './customer-notices.js';
import { helpdeskSettingsSchema } from './helpdesk.js';
import { describe, durationSchema, idSchema, secretRefSchema } from './common.js';

/** `redback.yaml`: how the orchestrator itself runs. Everything has a default, so an empty file is valid. */

const sentinelSchema = z
  .strictObject({
    name: z.string().min(1).describe('the master group name the sentinels watch'),
    sentinels: z.array(z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(26379) })).min(1),
    password: secretRefSchema.optional(),
  });

const redisSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^rediss?:\/\//, { error: (issue) => `expected a redis:// or rediss:// URL, given ${describe(issue.input)}` })
      .optional()
      .describe('Redis URL; REDIS_URL in the environment overrides it. Neither set: `redback serve` runs its own redis-server'),
    sentinel: sentinelSchema.optional(),
    prefix: z.string().regex(/^[a-z0-9_-]+$/).default('redback').describe('prefix of every key and queue'),
  })
  .refine((r) => !(r.url !== undefined && r.sentinel !== undefined), { error: 'expected either url or sentinel, not both' });

const apiSchema = z.strictObject({
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: (issue) => `expected HOST:PORT such as 127.0.0.1:8080, given ${describe(issue.input)}` })
    .default('127.0.0.1:8080'),
  public_url: z.string().url().optional().describe('the address people use to reach the console, for links in e-mails'),
});

const webhookNotifierSchema = z.strictObject({
  id: idSchema,
  type: z.literal('webhook'),
  url: z.url(),
  secret: secretRefSchema.optional().describe('HMAC-SHA256 key for the signature header'),
  events: z.array(z.string()).default(['*']),
  customers: z.array(idSchema).optional(),
  max_attempts: z.number().int().min(1).max(50).default(8),
});
const emailNotifierSchema = z.strictObject({
  id: idSchema,
  type: z.literal('email'),
  smtp_url: z.string().regex(/^smtps?:\/\//, { error: 'expected smtp:// or smtps:// URL' }),
  password: secretRefSchema.optional(),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).default([]),
  events: z.array(z.string()).default(['*']),
  customers: z.array(idSchema).optional(),
});
const chatNotifierSchema = z.strictObject({
  id: idSchema,
  type: z.enum(['slack', 'teams']),
  url: secretRefSchema.describe('chat webhook URLs are credentials: reference them'),
  events: z.array(z.string()).default(['*']),
  customers: z.array(idSchema).optional(),
});
const notifierSchema = z.discriminatedUnion('type', [webhookNotifierSchema, emailNotifierSchema, chatNotifierSchema], {
  error: (issue) => `expected a notifier with type webhook, email, slack or teams, given ${describe((issue.input as { type?: unknown } | undefined)?.type)}`,
});

// A planner tick after a long outage records every occurrence it missed; a bound keeps that catch-up (and a
// mistyped `700d`) from producing years of batches.
const MAX_MISSED_WINDOW_LOOKBACK_MS = 90 * 24 * 3_600_000;

const policiesSchema = z
  .strictObject({
    planner_lead_time: durationSchema().prefault('24h').describe('how long before a window its batch is planned'),
    missed_window_lookback: durationSchema({ allowZero: true, max: MAX_MISSED_WINDOW_LOOKBACK_MS })
      .prefault('7d')
      .describe('how far back a planner tick records occurrences that passed while no scheduler ran (0s: not at all)'),
    urgency: z
      .strictObject({
        cvss_threshold: z.number().min(0).max(10).default(9),
        kev_is_urgent: z.boolean().default(true),
        urgent_severities: z.array(z.enum(['critical', 'important', 'moderate', 'low'])).default(['critical']),
      })
      .default({ cvss_threshold: 9, kev_is_urgent: true, urgent_severities: ['critical'] }),
    approvals: z
      .strictObject({
        required_approvers: z.number().int().min(1).max(5).default(1),
        four_eyes: z.boolean().default(true),
      })
      .default({ required_approvers: 1, four_eyes: true }),
  })
  .transform((raw) => ({
    plannerLeadTimeMs: raw.planner_lead_time,
    missedWindowLookbackMs: raw.missed_window_lookback,
    urgency: { cvssThreshold: raw.urgency.cvss_threshold, kevIsUrgent: raw.urgency.kev_is_urgent, urgentSeverities: raw.urgency.urgent_severities },
    approvals: { requiredApprovers: raw.approvals.required_approvers, fourEyes: raw.approvals.four_eyes },
  }));

export const redbackFileSchema = z
  .strictObject({
    redis: redisSchema.default({ prefix: 'redback' }),
    api: apiSchema.default({ listen: '127.0.0.1:8080' }),
    notifiers: z.array(notifierSchema).default([]),
    policies: policiesSchema.prefault({}),
    blackouts: z.array(blackoutSchema).default([]).describe('global blackouts, in each window\'s own zone'),
    helpdesk: helpdeskSettingsSchema.prefault({}),
    customer_notices: customerNoticesSchema.prefault({}),
  })
  .superRefine((raw, ctx) => {
    const id = raw.customer_notices.notifier;
    if (id === undefined) return;
    const notifier = raw.notifiers.find((n) => n.id === id);
    if (notifier?.type !== 'email') {
      ctx.addIssue({ code: 'custom', path: ['customer_notices', 'notifier'], message: `expected the id of an email notifier in notifiers (${raw.notifiers.filter((n) => n.type === 'email').map((n) => n.id).join(', ') || 'none defined'}), given ${JSON.stringify(id)}${notifier === undefined ? '' : ` (a ${notifier.type} notifier)`}` });
    }
  })
  .transform((raw) => ({
    redis: raw.redis,
    api: { listen: raw.api.listen, publicUrl: raw.api.public_url },
    notifiers: raw.notifiers,
    policies: raw.policies,
    blackouts: raw.blackouts,
    helpdesk: raw.helpdesk,
    customerNotices: raw.customer_notices,
  }));
export type RedbackSettings = z.output<typeof redbackFileSchema>;
