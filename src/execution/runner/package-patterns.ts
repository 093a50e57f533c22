import type { OsFamily } from '../../config/index.js';

/**
 * What a package name and version may look like on each OS family, checked before any command is built
 * (DESIGN.md: nothing from outside reaches a shell unchecked). Patterns follow the packaging rules and are a
 * little stricter, never looser: a name that fails here cannot be installed by the package manager either.
 */
export interface PackagePattern {
  name: RegExp;
  version: RegExp;
  /** For messages: what a valid name looks like. */
  nameHint: string;
  versionHint: string;
}

// Debian Policy 5.6.1 (names) and 5.6.12 (versions): [epoch:]upstream[-revision]; upstream starts with a digit.
const DEBIAN: PackagePattern = {
  name: /^[a-z0-9][a-z0-9+.-]{1,127}$/,
  version: /^(?:\d{1,9}:)?\d[A-Za-z0-9.+~-]{0,127}$/,
  nameHint: 'lower-case letters, digits, "+", "-" and "." (at least 2 characters, starting with a letter or digit), e.g. openssl or libssl3',
  versionHint: '[epoch:]upstream[-revision] starting with a digit, e.g. 3.0.11-1~deb12u2 or 1:2.38-4',
};

// RPM: names are letters, digits and -._+ ; versions [epoch:]version[-release] without spaces or shell characters.
const RPM: PackagePattern = {
  name: /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,127}$/,
  version: /^(?:\d{1,9}:)?[A-Za-z0-9._+~^]{1,64}(?:-[A-Za-z0-9._+~^]{1,64})?$/,
  nameHint: 'letters, digits, "_", "+", "-" and ".", e.g. openssl-libs',
  versionHint: '[epoch:]version[-release], e.g. 3.0.7-27.el9 or 1:1.1.1k-12.el8_9',
};

// Windows updates are named by their Knowledge Base article.
const WINDOWS: PackagePattern = {
  name: /^KB\d{6,8}$/,
  version: /^\d+(?:\.\d+){0,3}$/,
  nameHint: 'a Knowledge Base article number such as KB5034441',
  versionHint: 'a revision number such as 200',
};

export function packagePatternFor(os: OsFamily): PackagePattern {
  switch (os) {
    case 'debian':
      return DEBIAN;
    case 'rhel':
    case 'suse':
      return RPM;
    case 'windows':
      return WINDOWS;
  }
}
