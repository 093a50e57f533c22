/**
 * Package names and versions from advisories end up in package-manager commands on customer hosts. They are checked
 * here against a strict pattern, so no shell metacharacter, space or quote ever leaves the parser.
 */
const SAFE_NAME = /^[A-Za-z0-9@_][A-Za-z0-9._+@/:-]{0,255}$/;
const SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~^:-]{0,255}$/;

export function isSafePackageName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

export function isSafePackageVersion(version: string): boolean {
  return SAFE_VERSION.test(version);
}

export const SAFE_PACKAGE_NAME_HINT = 'letters, digits and . _ + @ / : - (no spaces, quotes or shell metacharacters)';
export const SAFE_PACKAGE_VERSION_HINT = 'letters, digits and . _ + ~ ^ : - (no spaces, quotes or shell metacharacters)';
