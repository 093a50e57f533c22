import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ADVISORY_FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/advisories');

export function fixtureFiles(folder: 'csaf' | 'csaf-invalid' | 'osv'): string[] {
  return readdirSync(path.join(ADVISORY_FIXTURES, folder)).filter((f) => f.endsWith('.json')).sort();
}

export function readFixture(folder: string, file: string): Buffer {
  return readFileSync(path.join(ADVISORY_FIXTURES, folder, file));
}
