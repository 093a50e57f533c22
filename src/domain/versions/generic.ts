/**
 * The only ordering we trust for versions that come without a scheme (CSAF `vls` ranges such as `< V3.1.4` from ICS
 * vendors): dot-separated numbers, with an optional leading `v`/`V`, missing trailing parts counting as 0. Anything
 * else (`03A02`, `V15 Update 2`, build suffixes) is refused, so the caller routes it to human review.
 */
import { VersionSyntaxError } from './version-syntax-error.js';

const DOTTED_NUMBERS = /^[vV]?(\d+(?:\.\d+)*)$/;

export function parseGenericVersion(text: string): string[] {
  const match = DOTTED_NUMBERS.exec(text.trim());
  if (match === null) throw new VersionSyntaxError('generic', text, 'expected dot-separated numbers such as 3.1.4 or V3.1.4');
  return (match[1] as string).split('.').map((part) => part.replace(/^0+(?=\d)/, ''));
}

export function compareGenericVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseGenericVersion(a);
  const right = parseGenericVersion(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '0';
    const y = right[i] ?? '0';
    if (x.length !== y.length) return x.length > y.length ? 1 : -1;
    if (x !== y) return x > y ? 1 : -1;
  }
  return 0;
}
