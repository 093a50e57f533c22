import { z } from 'zod';
import { durationSchema, idSchema, secretRefSchema } from './common.js';

/**
 * `customer_notices:` in redback.yaml: the e-mail to each customer's contacts before every window occurrence and
 * the report after it (src/helpdesk/customer-notices/). The SMTP server is either given here (`smtp_url`, with
 * `password` as a secret reference) or borrowed from an e-mail notifier (`notifier: <id>`, checked against
 * `notifiers` in redback.ts). Disabled by default.
 */
export const customerNoticesSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    lead_time: durationSchema().prefault('48h').describe('how long before each occurrence its notice goes out'),
    report_lookback: durationSchema().prefault('7d').describe('reports go out for windows that ended at most this long ago'),
    notifier: idSchema.optional().describe('id of an email notifier whose SMTP server, password and from address are used'),
    smtp_url: z.string().regex(/^smtps?:\/\//, { error: 'expected an smtp:// or smtps:// URL' }).optional(),
    password: secretRefSchema.optional().describe('SMTP password, with smtp_url'),
    from: z.string().min(3).optional().describe('sender address; default: the notifier\'s from'),
  })
  .superRefine((raw, ctx) => {
    if (raw.notifier !== undefined && raw.smtp_url !== undefined) ctx.addIssue({ code: 'custom', path: ['notifier'], message: 'expected either notifier or smtp_url, not both' });
    if (raw.password !== undefined && raw.smtp_url === undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: 'password goes with smtp_url (a notifier brings its own)' });
    if (!raw.enabled) return;
    if (raw.notifier === undefined && raw.smtp_url === undefined) ctx.addIssue({ code: 'custom', message: 'enabled customer notices need an SMTP server: set smtp_url (and from) or notifier: <id of an email notifier>' });
    if (raw.smtp_url !== undefined && raw.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'expected a from address with smtp_url' });
  })
  .transform((raw) => ({
    enabled: raw.enabled,
    leadTimeMs: raw.lead_time,
    reportLookbackMs: raw.report_lookback,
    notifier: raw.notifier,
    smtpUrl: raw.smtp_url,
    password: raw.password,
    from: raw.from,
  }));
export type CustomerNoticesSettings = z.output<typeof customerNoticesSchema>;
