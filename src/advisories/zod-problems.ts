import type { z } from 'zod';
import { type AdvisoryProblem, jsonPath } from './problems.js';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** zod issues as advisory problems; a missing property says so, since zod words it like a wrong value. */
export function zodProblems(error: z.ZodError, root: unknown, prefix: readonly PropertyKey[] = [], test?: string): AdvisoryProblem[] {
  return error.issues.map((issue) => {
    const missing = issue.path.length > 0 && valueAt(root, issue.path) === undefined;
    const message = missing ? `required property is missing (${issue.message})` : issue.message;
    return { ...(test === undefined ? {} : { test }), path: jsonPath([...prefix, ...issue.path]), message };
  });
}
