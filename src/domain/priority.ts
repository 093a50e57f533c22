import { AppError } from '../errors.js';

/**
 * ITIL priority: impact x urgency gives a priority from 1 (critical) to 5 (planning). The matrix is data so a
 * provider can replace it; the default is the 5-level matrix of ServiceNow's base priority lookup (SEMANTICS §2.7).
 */
export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

export const PRIORITY_VALUES = [1, 2, 3, 4, 5] as const;
export type Priority = (typeof PRIORITY_VALUES)[number];

export const PRIORITY_NAMES: Readonly<Record<Priority, string>> = {
  1: 'critical',
  2: 'high',
  3: 'moderate',
  4: 'low',
  5: 'planning',
};

/** Rows are impact, columns urgency. */
export type PriorityMatrix = Readonly<Record<Level, Readonly<Record<Level, Priority>>>>;

export const ITIL_PRIORITY_MATRIX: PriorityMatrix = {
  high: { high: 1, medium: 2, low: 3 },
  medium: { high: 2, medium: 3, low: 4 },
  low: { high: 3, medium: 4, low: 5 },
};

export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/** SEMANTICS numbers impact and urgency 1 = high, 2 = medium, 3 = low; this maps those numbers to words. */
export function levelFromNumber(value: 1 | 2 | 3): Level {
  return LEVELS[value - 1] as Level;
}

export function computePriority(impact: Level, urgency: Level, matrix: PriorityMatrix = ITIL_PRIORITY_MATRIX): Priority {
  return matrix[impact][urgency];
}

/**
 * Checks a matrix that came from outside (config): all nine cells present, each 1..5, and never a lower
 * priority for a higher impact or urgency, because an inverted matrix would silently starve urgent work.
 */
export function assertPriorityMatrix(value: unknown, where = 'priority matrix'): PriorityMatrix {
  const problems: string[] = [];
  const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  for (const impact of LEVELS) {
    const row = (typeof input[impact] === 'object' && input[impact] !== null ? input[impact] : {}) as Record<string, unknown>;
    for (const urgency of LEVELS) {
      const cell = row[urgency];
      if (!(PRIORITY_VALUES as readonly unknown[]).includes(cell)) {
        problems.push(`${impact}.${urgency}: expected a priority 1 to 5, given ${JSON.stringify(cell) ?? 'nothing'}`);
      }
    }
  }
  if (problems.length === 0) {
    const matrix = input as unknown as PriorityMatrix;
    for (let i = 0; i < LEVELS.length - 1; i += 1) {
      const higher = LEVELS[i] as Level;
      const lower = LEVELS[i + 1] as Level;
      for (const other of LEVELS) {
        if (matrix[higher][other] > matrix[lower][other]) problems.push(`impact ${higher} x urgency ${other} must not be a lower priority (larger number) than impact ${lower}`);
        if (matrix[other][higher] > matrix[other][lower]) problems.push(`impact ${other} x urgency ${higher} must not be a lower priority (larger number) than urgency ${lower}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new AppError('input-invalid', `${where} is invalid; fix these cells:\n  ${problems.join('\n  ')}`);
  }
  return input as unknown as PriorityMatrix;
}

export const HOST_CRITICALITIES = ['low', 'medium', 'high', 'critical'] as const;
export type HostCriticality = (typeof HOST_CRITICALITIES)[number];

/** Host counts at which impact rises, whatever the hosts' criticality. */
export const IMPACT_HOST_THRESHOLDS = { medium: 2, high: 5 } as const;

/**
 * Impact of a failure from the hosts it touches: high when a critical host is affected or five or more hosts
 * are; medium when a high-criticality host is affected or two or more hosts are; low otherwise.
 */
export function impactFromAffectedHosts(criticalities: readonly HostCriticality[]): Level {
  const count = criticalities.length;
  if (criticalities.includes('critical') || count >= IMPACT_HOST_THRESHOLDS.high) return 'high';
  if (criticalities.includes('high') || count >= IMPACT_HOST_THRESHOLDS.medium) return 'medium';
  return 'low';
}
