import { AppError } from '../../errors.js';

export type VersionScheme = 'deb' | 'rpm' | 'semver' | 'generic';

/** A version string that its scheme cannot order. Callers that match advisories turn this into "needs review". */
export class VersionSyntaxError extends AppError {
  readonly scheme: VersionScheme;
  readonly version: string;

  constructor(scheme: VersionScheme, version: string, reason: string) {
    super('input-invalid', `"${version}" is not a valid ${scheme} version: ${reason}`, { details: { scheme, version, reason } });
    this.scheme = scheme;
    this.version = version;
  }
}
