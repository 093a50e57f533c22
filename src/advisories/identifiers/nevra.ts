/**
 * RPM package identity: name, epoch, version, release, arch. Red Hat writes it two ways: an rpm purl with the epoch as
 * a qualifier (omitted when 0), and in older documents only inline in the product id, `telnet-1:0.17-65.el7_6.x86_64`.
 */
import type { PackageUrl } from './purl.js';

export interface Nevra {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string | undefined;
}

const KNOWN_ARCHES = new Set(['noarch', 'src', 'nosrc', 'x86_64', 'i686', 'i386', 'aarch64', 'ppc64le', 'ppc64', 's390x', 's390', 'armv7hl', 'ia64']);

/** Parses `name-[epoch:]version-release[.arch]`; the arch is only split off when it is a known RPM architecture. */
export function parseNevra(text: string): Nevra | undefined {
  let rest = text;
  let arch: string | undefined;
  const dot = rest.lastIndexOf('.');
  if (dot !== -1 && KNOWN_ARCHES.has(rest.slice(dot + 1))) {
    arch = rest.slice(dot + 1);
    rest = rest.slice(0, dot);
  }
  const releaseDash = rest.lastIndexOf('-');
  if (releaseDash <= 0) return undefined;
  const release = rest.slice(releaseDash + 1);
  const nameAndVersion = rest.slice(0, releaseDash);
  const versionDash = nameAndVersion.lastIndexOf('-');
  if (versionDash <= 0) return undefined;
  const name = nameAndVersion.slice(0, versionDash);
  let version = nameAndVersion.slice(versionDash + 1);
  let epoch = 0;
  const colon = version.indexOf(':');
  if (colon !== -1) {
    const epochText = version.slice(0, colon);
    if (!/^\d+$/.test(epochText)) return undefined;
    epoch = Number(epochText);
    version = version.slice(colon + 1);
  }
  if (name === '' || version === '' || release === '') return undefined;
  return { name, epoch, version, release, arch };
}

/** The NEVRA of an rpm purl with a version (`pkg:rpm/redhat/tomcat@9.0.87-1.el8_10.1?arch=noarch&epoch=1`). */
export function nevraFromPurl(purl: PackageUrl): Nevra | undefined {
  if (purl.type !== 'rpm' || purl.version === undefined) return undefined;
  const dash = purl.version.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const epochText = purl.qualifiers['epoch'] ?? '0';
  if (!/^\d+$/.test(epochText)) return undefined;
  return { name: purl.name, epoch: Number(epochText), version: purl.version.slice(0, dash), release: purl.version.slice(dash + 1), arch: purl.qualifiers['arch'] };
}

/** `epoch:version-release`, the form the rpm comparator reads. */
export function evrString(nevra: Nevra): string {
  return `${nevra.epoch}:${nevra.version}-${nevra.release}`;
}
