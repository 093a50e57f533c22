import { z } from 'zod';
import { assertPriorityMatrix, ITIL_PRIORITY_MATRIX, type PriorityMatrix } from '../../domain/priority.js';

/**
 * `helpdesk:` in redback.yaml. `priority_matrix` replaces the default ITIL impact x urgency matrix; rows are
 * impact, columns urgency, cells priority 1 (critical) to 5 (planning), e.g.
 * `high: { high: 1, medium: 2, low: 3 }`.
 */
export const helpdeskSettingsSchema = z
  .strictObject({
    priority_matrix: z
      .unknown()
      .optional()
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        try {
          assertPriorityMatrix(value, 'priority_matrix');
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .describe('impact x urgency -> priority; default: the ITIL 5-level matrix'),
  })
  .transform((raw) => ({ priorityMatrix: (raw.priority_matrix as PriorityMatrix | undefined) ?? ITIL_PRIORITY_MATRIX }));
