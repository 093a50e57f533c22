/**
 * Debian package version ordering, as dpkg implements it (`lib/dpkg/version.c` and `parse.c`, deb-version(7)).
 * A version is `[epoch:]upstream_version[-debian_revision]`; the epoch is the part before the first colon, the
 * revision the part after the last hyphen, and a missing revision compares like `0`.
 */
import { VersionSyntaxError } from './version-syntax-error.js';

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export interface DebianParseOptions {
  /**
   * Accept what dpkg 1.21 refuses (an empty upstream part or an empty revision, as in `0foo-` or `-0.6.5`)
   * and compare it the way dpkg's Perl module does. Off by default: a version dpkg refuses is not one we match on.
   */
  lenient?: boolean;
}

const MAX_EPOCH = 2_147_483_647; // dpkg stores the epoch in an int and refuses anything larger
const UPSTREAM_CHARACTERS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARACTERS = /^[A-Za-z0-9.+~]*$/;

export function parseDebianVersion(text: string, options: DebianParseOptions = {}): DebianVersion {
  const fail = (why: string): never => {
    throw new VersionSyntaxError('deb', text, why);
  };
  const trimmed = text.trim();
  if (trimmed === '') fail('the version is empty');
  if (/\s/.test(trimmed)) fail('the version contains whitespace');

  let epoch = 0;
  let rest = trimmed;
  const colon = trimmed.indexOf(':');
  if (colon !== -1) {
    const epochText = trimmed.slice(0, colon);
    if (!/^\d+$/.test(epochText)) fail(`the epoch "${epochText}" is not a number`);
    epoch = Number(epochText);
    if (epoch > MAX_EPOCH) fail(`the epoch ${epochText} is larger than ${MAX_EPOCH}`);
    rest = trimmed.slice(colon + 1);
    if (rest === '') fail('nothing follows the colon after the epoch');
  }

  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const revision = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (options.lenient !== true) {
    if (hyphen !== -1 && revision === '') fail('the revision after the last "-" is empty');
    if (upstream === '') fail('the upstream version is empty');
    if (!/^\d/.test(upstream)) fail('the upstream version does not start with a digit');
    if (!UPSTREAM_CHARACTERS.test(upstream)) fail('the upstream version has a character outside A-Z a-z 0-9 . + ~ : -');
    if (!REVISION_CHARACTERS.test(revision)) fail('the revision has a character outside A-Z a-z 0-9 . + ~');
  }
  return { epoch, upstream, revision };
}

/** Weight of one character in a non-digit run: `~` < end of string < letters < everything else. */
function order(code: number | undefined): number {
  if (code === undefined) return 0;
  if (isDigit(code)) return 0;
  if (isAsciiLetter(code)) return code;
  if (code === 0x7e) return -1;
  return code + 256;
}

function isDigit(code: number | undefined): boolean {
  return code !== undefined && code >= 0x30 && code <= 0x39;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** dpkg's `verrevcmp`: alternating non-digit runs (by `order`) and digit runs (numerically). */
export function compareDebianFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(i < a.length ? a.charCodeAt(i) : undefined);
      const bc = order(j < b.length ? b.charCodeAt(j) : undefined);
      if (ac !== bc) return Math.sign(ac - bc);
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 0x30) i++;
    while (b.charCodeAt(j) === 0x30) j++;
    let firstDiff = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return Math.sign(firstDiff);
  }
  return 0;
}

export function compareParsedDebianVersions(a: DebianVersion, b: DebianVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const upstream = compareDebianFragment(a.upstream, b.upstream);
  if (upstream !== 0) return upstream as -1 | 1;
  return compareDebianFragment(a.revision, b.revision) as -1 | 0 | 1;
}

/** Compares two Debian versions like `dpkg --compare-versions`; throws `VersionSyntaxError` on a version dpkg refuses. */
export function compareDebianVersions(a: string, b: string, options: DebianParseOptions = {}): -1 | 0 | 1 {
  return compareParsedDebianVersions(parseDebianVersion(a, options), parseDebianVersion(b, options));
}
