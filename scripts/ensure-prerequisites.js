#!/usr/bin/env node
// Makes a fresh clone runnable: installs the npm dependencies when they are missing or older than the lock file,
// and the Debian packages the product (and, with --for-tests, the test suite) needs. It installs Debian packages
// only when it runs as root on a machine with apt-get; otherwise it names the packages and stops.
// Uses nothing but Node's own modules, because it runs before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for-tests');

/** Each Debian package with the test that tells whether it is there. */
const runtimePackages = [{ name: 'redis-server', present: () => onPath('redis-server') }];
const testPackages = [
  { name: 'openssh-server', present: () => existsSync('/usr/sbin/sshd') },
  { name: 'python3-winrm', present: () => pythonHasWinrm() },
  { name: 'dpkg-dev', present: () => onPath('dpkg-scanpackages') },
  // The test sshd's user runs playbook steps with `become: true`, which is sudo.
  { name: 'sudo', present: () => onPath('sudo') },
  // The SSH tests check with pgrep that a timed-out process is gone.
  { name: 'procps', present: () => onPath('pgrep') },
  // Throw-away TLS certificates for the WinRM HTTPS tests.
  { name: 'openssl', present: () => onPath('openssl') },
];

function onPath(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

function pythonHasWinrm() {
  // Debian's pywinrm is installed for Debian's python, whatever python3 comes first on PATH.
  return existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import winrm'], { stdio: 'ignore' }).status === 0;
}

function ensureNpmDependencies() {
  // Installed means: every direct dependency is present at the pinned version. (Comparing file times of the lock
  // files is not enough: npm writes them in either order.)
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pinned = { ...manifest.dependencies, ...manifest.devDependencies };
  const stale = Object.entries(pinned).filter(([name, version]) => {
    const installed = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(installed)) return true;
    return /^\d/.test(version) && JSON.parse(readFileSync(installed, 'utf8')).version !== version;
  });
  if (stale.length === 0) return;
  console.error(`[prerequisites] installing npm dependencies (npm ci): ${stale.length} missing or outdated`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

function ensureDebianPackages() {
  const wanted = forTests ? [...runtimePackages, ...testPackages] : runtimePackages;
  const missing = wanted.filter((p) => !p.present()).map((p) => p.name);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    console.error(`[prerequisites] missing Debian packages: ${missing.join(' ')}`);
    console.error(`[prerequisites] install them with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.error(`[prerequisites] installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

ensureDebianPackages();
ensureNpmDependencies();
