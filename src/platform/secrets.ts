import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { AppError } from '../errors.js';

/**
 * Resolves a secret reference (`env:NAME`, `file:PATH`) at the moment it is needed. The value is never logged
 * or stored; errors name the reference, not the value.
 */
export function readSecret(reference: string, options: { baseDir?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const env = options.env ?? process.env;
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (value === undefined || value === '') {
      throw new AppError('prerequisite-missing', `secret ${reference}: environment variable ${name} is not set; export it before starting redback`);
    }
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    const full = isAbsolute(path) || options.baseDir === undefined ? path : join(options.baseDir, path);
    try {
      return readFileSync(full, 'utf8');
    } catch (error) {
      throw new AppError('prerequisite-missing', `secret ${reference}: cannot read ${full} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
    }
  }
  throw new AppError('input-invalid', 'a secret must be a reference env:NAME or file:PATH, not an inline value');
}
