import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface VersionVector {
  a: string;
  b: string;
  expected: -1 | 0 | 1;
  source: string;
  note: string | undefined;
}

/** Reads a vector file from the shared fixtures: tab-separated `a b expected source`, a header line first. */
export function readVectors(file: 'deb.tsv' | 'rpm.tsv'): VersionVector[] {
  const text = readFileSync(path.resolve(process.cwd(), '../shared/fixtures/versions', file), 'utf8');
  const [header, ...rows] = text.split('\n').filter((line) => line.trim() !== '');
  if (header !== 'a\tb\texpected\tsource') throw new Error(`${file}: unexpected header "${header}"`);
  return rows.map((row) => {
    const [a, b, expected, sourceAndNote] = row.split('\t');
    if (a === undefined || b === undefined || sourceAndNote === undefined || !['-1', '0', '1'].includes(expected ?? '')) {
      throw new Error(`${file}: cannot read the row "${row}"`);
    }
    const [source, note] = sourceAndNote.split(' | NOTE: ');
    return { a, b, expected: Number(expected) as -1 | 0 | 1, source: source as string, note };
  });
}
