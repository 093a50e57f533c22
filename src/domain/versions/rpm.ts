/**
 * RPM version ordering: `rpmvercmp` exactly as rpm 4.18 implements it (`rpmio/rpmvercmp.c`), and the
 * epoch:version-release comparison built on it.
 */
import { VersionSyntaxError } from './version-syntax-error.js';

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

const TILDE = 0x7e;
const CARET = 0x5e;

/**
 * Segment-wise comparison. Separators are every non-alphanumeric ASCII character except `~` and `^` (non-ASCII
 * characters count as separators too, as in rpm); `~` sorts before everything including the end, `^` after the end
 * but before any further segment; digit segments beat alpha segments; the side with segments left wins.
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);
  const isSeparator = (code: number): boolean => code !== 0 && !isDigit(code) && !isAlpha(code) && code !== TILDE && code !== CARET;

  while (one < a.length || two < b.length) {
    while (isSeparator(at(a, one))) one++;
    while (isSeparator(at(b, two))) two++;

    if (at(a, one) === TILDE || at(b, two) === TILDE) {
      if (at(a, one) !== TILDE) return 1;
      if (at(b, two) !== TILDE) return -1;
      one++;
      two++;
      continue;
    }

    if (at(a, one) === CARET || at(b, two) === CARET) {
      if (one >= a.length) return -1;
      if (two >= b.length) return 1;
      if (at(a, one) !== CARET) return 1;
      if (at(b, two) !== CARET) return -1;
      one++;
      two++;
      continue;
    }

    if (!(one < a.length && two < b.length)) break;

    let end1 = one;
    let end2 = two;
    const numeric = isDigit(at(a, one));
    const inSegment = numeric ? isDigit : isAlpha;
    while (end1 < a.length && inSegment(a.charCodeAt(end1))) end1++;
    while (end2 < b.length && inSegment(b.charCodeAt(end2))) end2++;

    // Segments of different types: a numeric segment is always newer than an alpha one.
    if (end2 === two) return numeric ? 1 : -1;

    let segment1 = a.slice(one, end1);
    let segment2 = b.slice(two, end2);
    if (numeric) {
      segment1 = segment1.replace(/^0+/, '');
      segment2 = segment2.replace(/^0+/, '');
      if (segment1.length !== segment2.length) return segment1.length > segment2.length ? 1 : -1;
    }
    if (segment1 !== segment2) return segment1 < segment2 ? -1 : 1;
    one = end1;
    two = end2;
  }

  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

export interface RpmEvr {
  epoch: number;
  version: string;
  /** Empty when the text had no release; it then sorts below any release, as `rpm.ver()` does. */
  release: string;
}

/** Parses `[epoch:]version[-release]`: the epoch is the digits before the first colon, the release follows the last hyphen. */
export function parseRpmEvr(text: string): RpmEvr {
  const fail = (why: string): never => {
    throw new VersionSyntaxError('rpm', text, why);
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
    if (!Number.isSafeInteger(epoch)) fail(`the epoch ${epochText} is too large`);
    rest = trimmed.slice(colon + 1);
  }
  if (rest.includes(':')) fail('it has more than one colon');
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen === -1 ? rest : rest.slice(0, hyphen);
  const release = hyphen === -1 ? '' : rest.slice(hyphen + 1);
  if (version === '') fail('the version part is empty');
  if (hyphen !== -1 && release === '') fail('the release after the last "-" is empty');
  return { epoch, version, release };
}

export function compareRpmEvrs(a: RpmEvr, b: RpmEvr): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** Compares two `[epoch:]version[-release]` strings (a missing epoch is 0, a missing release sorts lower). */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  return compareRpmEvrs(parseRpmEvr(a), parseRpmEvr(b));
}
