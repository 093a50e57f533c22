import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private Debian package world for tests: a dpkg root and an apt configuration that point only into a temp
 * directory, and a local apt repository of fixture packages built with dpkg-deb. The machine's own package
 * database (/var/lib/dpkg) is never read or written.
 */
export interface AptSandbox {
  dir: string;
  /** The dpkg root (the shipped playbooks' `dpkg_root` parameter). */
  root: string;
  /** The apt.conf (the shipped playbooks' `apt_config` parameter). */
  aptConfig: string;
  /** Builds `rbu-fixture_<version>_all.deb`; `failingPostinst` makes its postinst exit 1. */
  buildPackage(version: string, options?: { failingPostinst?: boolean }): Promise<string>;
  /** Puts the given .deb files (and only those) in the repository and rewrites its index. */
  publish(debs: string[]): Promise<void>;
  /** Installs a .deb into the private root with dpkg directly (the starting state). */
  installDirectly(deb: string): Promise<void>;
  /** `name version` of rbu-fixture in the private root, or undefined. */
  installedVersion(): Promise<string | undefined>;
  dispose(): Promise<void>;
}

export const FIXTURE_PACKAGE = 'rbu-fixture';

export async function createAptSandbox(): Promise<AptSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-apt-'));
  // The test user of the test sshd reads the sandbox (checks run without sudo).
  await chmod(dir, 0o755);
  const root = join(dir, 'root');
  const repo = join(dir, 'repo');
  const build = join(dir, 'build');
  for (const sub of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/log/apt', 'etc/apt/apt.conf.d', 'etc/apt/preferences.d', 'etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d']) {
    await mkdir(join(root, sub), { recursive: true, mode: 0o755 });
  }
  await mkdir(repo, { recursive: true, mode: 0o755 });
  await mkdir(build, { recursive: true, mode: 0o755 });
  await writeFile(join(root, 'var/lib/dpkg/status'), '', { mode: 0o644 });
  await writeFile(join(root, 'var/lib/dpkg/available'), '', { mode: 0o644 });
  await writeFile(join(root, 'etc/apt/sources.list'), `deb [trusted=yes] file:${repo} ./\n`, { mode: 0o644 });
  const aptConfig = join(dir, 'apt.conf');
  await writeFile(
    aptConfig,
    [
      `Dir "${root}/";`,
      `Dir::State::status "${root}/var/lib/dpkg/status";`,
      // The fixture packages are not chroot-aware; their scripts run on the host with DPKG_ROOT set (dpkg >= 1.18.5).
      'DPkg::Options { "--force-script-chrootless"; };',
      // file: URIs are read as root; the _apt sandbox user could not read a 0700 temp dir.
      'APT::Sandbox::User "root";',
      'Acquire::Languages "none";',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );

  const env = { ...process.env, DPKG_ROOT: root, APT_CONFIG: aptConfig, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };

  return {
    dir,
    root,
    aptConfig,
    async buildPackage(version, options = {}) {
      const tree = join(build, `${FIXTURE_PACKAGE}-${version}${options.failingPostinst === true ? '-failing' : ''}`);
      await mkdir(join(tree, 'DEBIAN'), { recursive: true });
      await mkdir(join(tree, 'usr/share/rbu-fixture'), { recursive: true });
      await writeFile(join(tree, 'usr/share/rbu-fixture/VERSION'), `${version}\n`);
      await writeFile(
        join(tree, 'DEBIAN/control'),
        [
          `Package: ${FIXTURE_PACKAGE}`,
          `Version: ${version}`,
          'Architecture: all',
          'Maintainer: redback-uptime tests <tests@redback.invalid>',
          'Section: misc',
          'Priority: optional',
          'Description: fixture package for the redback-uptime playbook tests',
          ' Installs one file; used to prove scan, check mode, upgrade and failure reporting.',
          '',
        ].join('\n'),
      );
      const postinst = options.failingPostinst === true
        ? '#!/bin/sh\necho "rbu-fixture postinst: configuration failed on purpose" >&2\nexit 1\n'
        : '#!/bin/sh\nset -e\necho "rbu-fixture postinst: configured $2"\n';
      await writeFile(join(tree, 'DEBIAN/postinst'), postinst, { mode: 0o755 });
      const deb = join(build, `${FIXTURE_PACKAGE}_${version}${options.failingPostinst === true ? '-failing' : ''}_all.deb`);
      await run('dpkg-deb', ['--root-owner-group', '--build', tree, deb]);
      return deb;
    },
    async publish(debs) {
      await run('sh', ['-c', 'rm -f ./*.deb Packages Packages.gz', 'publish'], { cwd: repo });
      for (const deb of debs) await run('cp', [deb, repo]);
      const { stdout } = await run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: repo });
      await writeFile(join(repo, 'Packages'), stdout, { mode: 0o644 });
      await run('chmod', ['-R', 'a+rX', dir]);
    },
    async installDirectly(deb) {
      await run('dpkg', ['--force-script-chrootless', '-i', deb], { env });
      await run('chmod', ['-R', 'a+rX', dir]);
    },
    async installedVersion() {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}\t${Version}', FIXTURE_PACKAGE], { env }).catch(() => ({ stdout: '' }));
      const [status = '', version] = stdout.split('\t');
      return status.endsWith(' installed') || status.includes('half-configured') ? `${version} (${status})` : undefined;
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
