import type { z } from 'zod';
import type { ConfigIssue } from '../errors.js';
import { describe } from './schemas/common.js';
import type { YamlSource } from './yaml-source.js';

/** `hosts[3].transport` from `['hosts', 3, 'transport']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** Turns zod's issues into config issues with file, line, path and a message that echoes what was given. */
export function zodIssuesToConfigIssues(source: YamlSource, error: z.ZodError, basePath: readonly PropertyKey[] = []): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...basePath, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file: source.file,
        line: source.lineOf([...path, key]),
        path: formatPath([...path, key]),
        message: `unknown key ${JSON.stringify(key)}; allowed keys here: ${allowedKeys(issue)}`,
        severity: 'error' as const,
      }));
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && !/given/.test(message)) {
      message = `expected ${issue.expected}, given ${describe(valueAt(source.data, path))}`;
    } else if (issue.code === 'invalid_union' && !/given/.test(message)) {
      message = `${message}, given ${describe(valueAt(source.data, path))}`;
    } else if (!/given|expected/.test(message)) {
      message = `${message} (given ${describe(valueAt(source.data, path))})`;
    }
    return [{ file: source.file, line: source.lineOf(path), path: formatPath(path), message, severity: 'error' as const }];
  });
}

function allowedKeys(issue: z.core.$ZodIssueUnrecognizedKeys): string {
  const known = (issue as { knownKeys?: string[] }).knownKeys;
  return known === undefined ? 'see the configuration reference in README.md' : known.join(', ');
}
