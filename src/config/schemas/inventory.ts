import { z } from 'zod';
import {
  describe,
  durationSchema,
  idSchema,
  localDateSchema,
  localTimeSchema,
  secretRefSchema,
  timezoneSchema,
} from './common.js';

export const OS_FAMILIES = ['debian', 'rhel', 'suse', 'windows'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];
export const TRANSPORT_KINDS = ['ssh', 'winrm', 'local'] as const;
export type TransportKind = (typeof TRANSPORT_KINDS)[number];
export const CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export const PRIORITIES = [1, 2, 3, 4, 5] as const;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: (issue) => `expected one of ${values.join(', ')}, given ${describe(issue.input)}` });
}

const slaTargetSchema = z
  .strictObject({
    response: durationSchema().describe('time to first response, counted in business hours'),
    resolution: durationSchema().describe('time to resolution, counted in business hours'),
  })
  .transform((raw) => ({ responseMs: raw.response, resolutionMs: raw.resolution }));

const businessHoursSchema = z.union([
  z.literal('24x7'),
  z.strictObject({
    days: z.array(oneOf(WEEKDAYS)).min(1),
    start: localTimeSchema,
    end: localTimeSchema,
  }),
]);

const contactSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email({ error: (issue) => `expected an e-mail address, given ${describe(issue.input)}` }),
  role: z.string().optional(),
});

export const ADVISORY_SEVERITIES = ['critical', 'important', 'moderate', 'low'] as const;

/**
 * A customer's own urgency policy (`contract.urgency`), key by key over `policies.urgency` in redback.yaml: what the
 * contract says makes a vendor advisory urgent for this customer. Keys left out keep the provider's default.
 */
const urgencyOverrideSchema = z
  .strictObject({
    cvss_threshold: z
      .number({ error: (issue) => `expected a CVSS base score from 0 to 10, given ${describe(issue.input)}` })
      .min(0, { error: (issue) => `expected a CVSS base score from 0 to 10, given ${describe(issue.input)}` })
      .max(10, { error: (issue) => `expected a CVSS base score from 0 to 10, given ${describe(issue.input)}` })
      .optional(),
    kev_is_urgent: z.boolean({ error: (issue) => `expected true or false, given ${describe(issue.input)}` }).optional(),
    urgent_severities: z
      .array(oneOf(ADVISORY_SEVERITIES))
      .refine((list) => new Set(list).size === list.length, { error: 'expected each severity at most once' })
      .optional()
      .describe('vendor severities that make an advisory urgent; [] = none'),
  })
  .refine((raw) => raw.cvss_threshold !== undefined || raw.kev_is_urgent !== undefined || raw.urgent_severities !== undefined, {
    error: 'expected at least one of cvss_threshold, kev_is_urgent, urgent_severities (leave urgency out to use policies.urgency of redback.yaml)',
  })
  .transform((raw) => ({
    ...(raw.cvss_threshold === undefined ? {} : { cvssThreshold: raw.cvss_threshold }),
    ...(raw.kev_is_urgent === undefined ? {} : { kevIsUrgent: raw.kev_is_urgent }),
    ...(raw.urgent_severities === undefined ? {} : { urgentSeverities: raw.urgent_severities }),
  }));
export type UrgencyOverride = z.output<typeof urgencyOverrideSchema>;

const contractSchema = z
  .strictObject({
    business_hours: businessHoursSchema.describe('"24x7", or days with a local start and end time'),
    holidays: z.array(localDateSchema).default([]).describe('local dates on which the business-hours clock stands still'),
    sla: z
      .strictObject({ 1: slaTargetSchema, 2: slaTargetSchema, 3: slaTargetSchema, 4: slaTargetSchema, 5: slaTargetSchema })
      .describe('response and resolution targets per priority 1 (critical) to 5 (planning)'),
    emergency_patch: z
      .strictObject({
        critical: durationSchema().optional(),
        important: durationSchema().optional(),
        moderate: durationSchema().optional(),
        low: durationSchema().optional(),
      })
      .default({})
      .describe('how soon an urgent advisory of each severity must be patched, e.g. critical: 72h'),
    urgency: urgencyOverrideSchema.optional().describe("this customer's urgency policy: each key given replaces the one of policies.urgency in redback.yaml"),
  })
  .transform((raw) => ({
    businessHours: raw.business_hours,
    holidays: raw.holidays,
    sla: raw.sla,
    emergencyPatchMs: raw.emergency_patch,
    urgency: raw.urgency,
  }));

export const customerSchema = z
  .strictObject({
    id: idSchema,
    name: z.string().min(1),
    timezone: timezoneSchema,
    contacts: z.array(contactSchema).default([]),
    contract: contractSchema,
  })
  .transform((raw) => ({ id: raw.id, name: raw.name, timezone: raw.timezone, contacts: raw.contacts, contract: raw.contract }));
export type Customer = z.output<typeof customerSchema>;

const credentialsSchema = z
  .strictObject({
    user: z.string().min(1).describe('login name on the host'),
    private_key: secretRefSchema.optional().describe('reference to a private key: file:PATH or env:NAME'),
    passphrase: secretRefSchema.optional(),
    password: secretRefSchema.optional(),
    agent: z.boolean().optional().describe('use the SSH agent at $SSH_AUTH_SOCK'),
  })
  .transform((raw) => ({
    user: raw.user,
    privateKey: raw.private_key,
    passphrase: raw.passphrase,
    password: raw.password,
    agent: raw.agent ?? false,
  }));

const sshOptionsSchema = z
  .strictObject({
    host_key: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { error: (issue) => `expected an OpenSSH SHA256 fingerprint like SHA256:abc… (43 base64 characters), given ${describe(issue.input)}` })
      .optional(),
    known_hosts: z.string().min(1).optional().describe('path to a known_hosts file (relative to the config directory)'),
    trust_on_first_use: z.boolean().default(false).describe('accept and remember an unknown key: the only way around pinning'),
    jump_host: z.string().optional().describe('id of another inventory host to tunnel through'),
    keepalive: durationSchema().optional(),
  })
  .transform((raw) => ({
    hostKey: raw.host_key,
    knownHosts: raw.known_hosts,
    trustOnFirstUse: raw.trust_on_first_use,
    jumpHost: raw.jump_host,
    keepaliveMs: raw.keepalive,
  }));

const winrmOptionsSchema = z
  .strictObject({
    scheme: oneOf(['http', 'https']).default('https'),
    auth: oneOf(['basic', 'ntlm']).default('ntlm'),
    ca: z.string().optional().describe('path to a CA bundle that signs the host certificate'),
    certificate_fingerprint: z.string().optional().describe('SHA-256 fingerprint of the host certificate, to pin it'),
  })
  .transform((raw) => ({ scheme: raw.scheme, auth: raw.auth, ca: raw.ca, certificateFingerprint: raw.certificate_fingerprint }));

export const hostSchema = z
  .strictObject({
    id: idSchema,
    customer: idSchema,
    address: z.string().min(1).regex(/^[A-Za-z0-9.:[\]_-]+$/, { error: (issue) => `expected a host name or IP address, given ${describe(issue.input)}` }),
    port: z.number().int().min(1).max(65535).optional(),
    transport: oneOf(TRANSPORT_KINDS),
    os: oneOf(OS_FAMILIES),
    groups: z.array(idSchema).default([]),
    criticality: oneOf(CRITICALITIES).default('medium'),
    credentials: credentialsSchema.optional(),
    ssh: sshOptionsSchema.optional(),
    winrm: winrmOptionsSchema.optional(),
    description: z.string().optional(),
  })
  .superRefine((raw, ctx) => {
    if (raw.transport !== 'local' && raw.credentials === undefined) {
      ctx.addIssue({ code: 'custom', path: ['credentials'], message: `expected credentials for a ${raw.transport} host (user and a key, password or agent reference)` });
    }
    if (raw.transport === 'ssh') {
      // On an invalid ssh block zod still runs this check, with the untransformed keys: look at both spellings so
      // a malformed host_key is reported once, not also as missing.
      const ssh = raw.ssh as Record<string, unknown> | undefined;
      const pinned = ssh !== undefined && ['hostKey', 'host_key', 'knownHosts', 'known_hosts'].some((k) => ssh[k] !== undefined);
      const tofu = ssh !== undefined && (ssh.trustOnFirstUse === true || ssh.trust_on_first_use === true);
      if (!pinned && !tofu) {
        ctx.addIssue({ code: 'custom', path: ['ssh'], message: 'expected ssh.host_key or ssh.known_hosts to pin the host key (or ssh.trust_on_first_use: true to accept an unknown key explicitly)' });
      }
    }
    if (raw.transport !== 'ssh' && raw.ssh !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ssh'], message: `ssh options are only allowed with transport ssh, given transport ${raw.transport}` });
    }
    if (raw.transport !== 'winrm' && raw.winrm !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['winrm'], message: `winrm options are only allowed with transport winrm, given transport ${raw.transport}` });
    }
    if (raw.transport === 'winrm' && raw.os !== 'windows') {
      ctx.addIssue({ code: 'custom', path: ['os'], message: `transport winrm needs os windows, given ${raw.os}` });
    }
  })
  .transform((raw) => ({
    id: raw.id,
    customerId: raw.customer,
    address: raw.address,
    port: raw.port ?? defaultPort(raw.transport, raw.winrm?.scheme),
    transport: raw.transport,
    os: raw.os,
    groups: raw.groups,
    criticality: raw.criticality,
    credentials: raw.credentials,
    ssh: raw.ssh,
    winrm: raw.winrm,
    description: raw.description,
  }));
export type Host = z.output<typeof hostSchema>;

function defaultPort(transport: (typeof TRANSPORT_KINDS)[number], scheme: string | undefined): number {
  if (transport === 'ssh') return 22;
  if (transport === 'winrm') return scheme === 'http' ? 5985 : 5986;
  return 0;
}

/** One `inventory/*.yaml` file: customers and/or hosts. */
export const inventoryFileSchema = z.strictObject({
  customers: z.array(customerSchema).default([]),
  hosts: z.array(hostSchema).default([]),
});
