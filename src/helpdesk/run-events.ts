import { z } from 'zod';
import { FAILURE_CLASSES } from '../domain/failure-class.js';

/**
 * The orchestration events the helpdesk acts on, as appended to the `<prefix>:events` stream by the
 * orchestration (one field `event` holding this JSON). Other types on the stream are ignored.
 */
export const runEventSchema = z.looseObject({
  type: z.enum(['run.failed', 'run.succeeded', 'run.deferred']),
  batchId: z.string().min(1),
  occurrenceId: z.string().regex(/^[^@\s]+@\d{8}T\d{6}Z$/, { error: (issue) => `expected an occurrence id windowId@YYYYMMDDTHHMMSSZ, given ${JSON.stringify(issue.input)}` }),
  windowId: z.string().min(1),
  customerId: z.string().min(1),
  hostId: z.string().min(1),
  playbookId: z.string().min(1).nullable(),
  failureClass: z.enum(FAILURE_CLASSES).nullable(),
  runId: z.string().min(1),
  at: z.iso.datetime({ offset: true }),
  reason: z.string().optional(),
  /**
   * `run.deferred`: the occurrence the orchestration moved the host to (null: no later window). A deferral with a
   * `failureClass` means the host missed its window because its attempts failed that way (`unreachable`).
   */
  deferredTo: z.string().nullable().optional(),
});
export type RunEvent = z.output<typeof runEventSchema>;

export const HANDLED_RUN_EVENT_TYPES: readonly string[] = runEventSchema.shape.type.options;

/** The start instant encoded in an occurrence id (`weekly@20260418T200000Z`), in epoch ms. */
export function occurrenceStartMs(occurrenceId: string): number {
  const match = /@(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(occurrenceId);
  if (match === null) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
