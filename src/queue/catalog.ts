import { z } from 'zod';

/**
 * The job catalog: every BullMQ job name with the zod schema of its payload, so producers are type-checked and
 * workers validate what they take off the queue (a job written by an older version fails loudly, by name).
 */
export const HOST_RUN_QUEUE = 'host-runs';

const idPattern = /^[^:\s]+$/;

export const hostRunPayloadSchema = z.strictObject({
  batchId: z.string().regex(idPattern, { error: 'expected a batch id without ":" or spaces' }),
  hostId: z.string().regex(idPattern, { error: 'expected a host id without ":" or spaces' }),
});
export type HostRunPayload = z.output<typeof hostRunPayloadSchema>;

export const jobCatalog = {
  'host-run': hostRunPayloadSchema,
} as const;
export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.output<(typeof jobCatalog)[N]>;

/** The deterministic job id of a host run (DESIGN.md "Ids"): the same batch and host always give the same job. */
export function hostRunJobId(batchId: string, hostId: string): string {
  return `${batchId}/${hostId}`;
}

export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = jobCatalog[name].safeParse(data);
  if (!result.success) {
    throw new Error(`job ${name}: payload does not match the catalog (${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}); given ${JSON.stringify(data)}`);
  }
  return result.data as JobPayload<N>;
}
