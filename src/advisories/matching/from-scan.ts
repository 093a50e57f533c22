/**
 * Turns what the `scan` playbook stores (src/store host inventory: os-release id and version, packages with their
 * source) into the matcher's host description. The rules that need a guess are stated here, and the caller can
 * override the platform CPEs (Red Hat EUS/AUS/E4S streams cannot be told from os-release).
 */
import type { HostInventory as ScannedInventory } from '../../store/index.js';
import { parseNevra } from '../identifiers/nevra.js';
import type { HostInventory, InstalledPackage } from './inventory.js';

const RPM_DISTRIBUTIONS: Readonly<Record<string, string | undefined>> = {
  rhel: undefined,
  centos: undefined,
  fedora: undefined,
  ol: undefined,
  sles: undefined,
  'opensuse-leap': undefined,
  rocky: 'Rocky Linux',
  almalinux: 'AlmaLinux',
};

export interface FromScanOptions {
  /** Platform CPEs of the host's enabled streams; default for RHEL: BaseOS and AppStream of its major release. */
  platformCpes?: string[];
}

/** A binNMU appends `+bN` to the source version (`5.2.15-2+b8` from source `5.2.15-2`); the scan records no source version. */
function debianSourceVersion(binaryVersion: string): string {
  return binaryVersion.replace(/\+b\d+$/, '');
}

/** `tomcat-9.0.87-1.el8_10.1.src.rpm` → `tomcat`. */
function sourceRpmName(source: string): string | undefined {
  return parseNevra(source.replace(/\.rpm$/, ''))?.name;
}

export function hostFromScan(scan: ScannedInventory, options: FromScanOptions = {}): HostInventory | undefined {
  const id = scan.os.id ?? '';
  const version = scan.os.version ?? '';
  const [major = '', minor = ''] = version.split('.');

  if (id === 'debian' || id === 'ubuntu') {
    const lts = id === 'ubuntu' && /^\d*[02468]\.04$/.test(version);
    const packages: InstalledPackage[] = scan.packages.map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch,
      sourceName: p.source === '' ? p.name : p.source,
      sourceVersion: debianSourceVersion(p.version),
    }));
    return {
      hostId: scan.hostId,
      packageFormat: 'deb',
      osvEcosystem: id === 'debian' ? `Debian:${major}` : `Ubuntu:${version}${lts ? ':LTS' : ''}`,
      ...(options.platformCpes === undefined ? {} : { platformCpes: options.platformCpes }),
      packages,
    };
  }

  if (Object.hasOwn(RPM_DISTRIBUTIONS, id)) {
    const osvName = RPM_DISTRIBUTIONS[id];
    const platformCpes =
      options.platformCpes ?? (id === 'rhel' && major !== '' ? [`cpe:/o:redhat:enterprise_linux:${major}::baseos`, `cpe:/a:redhat:enterprise_linux:${major}::appstream`] : undefined);
    return {
      hostId: scan.hostId,
      packageFormat: 'rpm',
      ...(osvName === undefined ? {} : { osvEcosystem: `${osvName}:${major}` }),
      ...(platformCpes === undefined ? {} : { platformCpes }),
      packages: scan.packages.map((p) => {
        const sourceName = p.source === '' ? undefined : sourceRpmName(p.source);
        return { name: p.name, version: p.version, arch: p.arch, ...(sourceName === undefined ? {} : { sourceName }) };
      }),
    };
  }

  if (id === 'alpine') {
    return {
      hostId: scan.hostId,
      packageFormat: 'apk',
      osvEcosystem: `Alpine:v${major}.${minor}`,
      packages: scan.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch, sourceName: p.source === '' ? p.name : p.source })),
    };
  }

  // Windows and unknown systems: their packages are not in OS advisories' vocabulary.
  return undefined;
}
