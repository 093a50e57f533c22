import { z } from 'zod';
import { describe, durationSchema, idSchema } from './common.js';
import { OS_FAMILIES } from './inventory.js';

/** `playbooks/*.yaml`: the shape. The runner (execution/) gives it meaning. */

export const PLAYBOOK_KINDS = ['update', 'upgrade', 'security-patch', 'scan', 'custom'] as const;
export const PARAM_TYPES = ['string', 'number', 'boolean', 'packages', 'package-name', 'path'] as const;

const matcherSchema = z
  .strictObject({
    stdout: z.string().optional(),
    stderr: z.string().optional(),
    exit_codes: z.array(z.number().int()).optional(),
    exit_codes_not: z.array(z.number().int()).optional(),
  })
  .superRefine((m, ctx) => {
    for (const key of ['stdout', 'stderr'] as const) {
      const pattern = m[key];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected a regular expression, given ${JSON.stringify(pattern)}: ${(error as Error).message}` });
      }
    }
  })
  .transform((m) => ({ stdout: m.stdout, stderr: m.stderr, exitCodes: m.exit_codes, exitCodesNot: m.exit_codes_not }));

const checkSchema = z.strictObject({
  name: z.string().min(1),
  run: z.string({ error: (issue) => `expected the command to run, given ${describe(issue.input)}` }).min(1),
  timeout: durationSchema().optional(),
  become: z.boolean().default(false),
}).transform((raw) => ({ name: raw.name, run: raw.run, timeoutMs: raw.timeout, become: raw.become }));

const stepSchema = z
  .strictObject({
    name: z.string().min(1),
    run: z.string({ error: (issue) => `expected the command to run, given ${describe(issue.input)}` }).min(1),
    check: z.string().min(1).optional(),
    timeout: durationSchema().optional(),
    retries: z.number().int().min(0).max(20).default(0),
    delay: durationSchema({ allowZero: true }).default(0),
    changed_when: matcherSchema.optional(),
    failed_when: matcherSchema.optional(),
    become: z.boolean().default(false),
    powershell: z.boolean().optional(),
  })
  .transform((raw) => ({
    name: raw.name,
    run: raw.run,
    check: raw.check,
    timeoutMs: raw.timeout,
    retries: raw.retries,
    delayMs: raw.delay,
    changedWhen: raw.changed_when,
    failedWhen: raw.failed_when,
    become: raw.become,
    powershell: raw.powershell,
  }));

const paramSchema = z.strictObject({
  type: z.enum(PARAM_TYPES, { error: (issue) => `expected one of ${PARAM_TYPES.join(', ')}, given ${describe(issue.input)}` }),
  optional: z.boolean().default(false),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

export const playbookSchema = z
  .strictObject({
    id: idSchema,
    name: z.string().optional(),
    description: z.string().optional(),
    kind: z.enum(PLAYBOOK_KINDS, { error: (issue) => `expected one of ${PLAYBOOK_KINDS.join(', ')}, given ${describe(issue.input)}` }),
    os: z.enum(OS_FAMILIES, { error: (issue) => `expected one of ${OS_FAMILIES.join(', ')}, given ${describe(issue.input)}` }),
    params: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), paramSchema).default({}),
    // Exported before every command; a value is literal text or exactly one `{{ param }}` (omitted when unset).
    environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' }), z.string()).default({}),
    // Prints one installed package per line (name, version, arch, source; tab-separated): the runner runs it
    // before and after the steps and reports the difference as the packages changed.
    packages_query: z.string().min(1).optional(),
    pre_checks: z.array(checkSchema).default([]),
    steps: z.array(stepSchema).min(1, { error: 'expected at least one step' }),
    reboot: z.enum(['never', 'if-needed', 'always'], { error: (issue) => `expected never, if-needed or always, given ${describe(issue.input)}` }).default('never'),
    reboot_if: z.string().min(1).optional(),
    post_checks: z.array(checkSchema).default([]),
  })
  .superRefine((raw, ctx) => {
    if (raw.reboot === 'if-needed' && raw.reboot_if === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reboot_if'], message: 'expected reboot_if (the command whose exit 0 means a reboot is needed) with reboot: if-needed' });
    }
  })
  .transform((raw) => ({
    id: raw.id,
    name: raw.name ?? raw.id,
    description: raw.description,
    kind: raw.kind,
    os: raw.os,
    params: raw.params,
    environment: raw.environment,
    packagesQuery: raw.packages_query,
    preChecks: raw.pre_checks,
    steps: raw.steps,
    reboot: raw.reboot,
    rebootIf: raw.reboot_if,
    postChecks: raw.post_checks,
  }));
export type Playbook = z.output<typeof playbookSchema>;
