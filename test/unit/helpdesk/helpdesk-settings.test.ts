import { describe, expect, it } from 'vitest';
import { redbackFileSchema } from '../../../src/config/schemas/redback.js';
import { ITIL_PRIORITY_MATRIX } from '../../../src/domain/priority.js';

describe('helpdesk settings in redback.yaml', () => {
  it('defaults to the ITIL matrix', () => {
    expect(redbackFileSchema.parse({}).helpdesk.priorityMatrix).toEqual(ITIL_PRIORITY_MATRIX);
  });

  it('takes a configured matrix', () => {
    const matrix = { high: { high: 1, medium: 1, low: 2 }, medium: { high: 2, medium: 3, low: 4 }, low: { high: 3, medium: 4, low: 5 } };
    expect(redbackFileSchema.parse({ helpdesk: { priority_matrix: matrix } }).helpdesk.priorityMatrix).toEqual(matrix);
  });

  it('rejects a matrix with a bad cell, naming it', () => {
    const result = redbackFileSchema.safeParse({ helpdesk: { priority_matrix: { high: { high: 0 } } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['helpdesk', 'priority_matrix']);
    expect(result.error?.issues[0]?.message).toMatch(/priority_matrix is invalid[\s\S]*high\.high: expected a priority 1 to 5, given 0/);
  });
});
