import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../src/platform/free-port.js';

const run = promisify(execFile);

/**
 * A real OpenSSH sshd for tests and benchmarks: its own config, host key and authorized keys in a temp directory,
 * listening on a free loopback port, running as root (as sshd must) and letting in one unprivileged user.
 * Each caller may start its own; they share only the Unix user. Never touches the machine's sshd or port 22.
 */
export interface TestSshd {
  readonly host: string;
  readonly port: number;
  /** The unprivileged login user (created on first use). Its shell is bash with empty start-up files. */
  readonly user: string;
  readonly password: string;
  /** Private key in authorized_keys, no passphrase. */
  readonly keyPath: string;
  /** Private key in authorized_keys, encrypted with `keyPassphrase`. */
  readonly encryptedKeyPath: string;
  readonly keyPassphrase: string;
  /** A valid private key that is NOT authorized. */
  readonly wrongKeyPath: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA…` */
  readonly hostPublicKey: string;
  /** A known_hosts file with this server's key for `[127.0.0.1]:port`. */
  readonly knownHostsPath: string;
  /** The server's private temp directory (mode 0755; files the test user may read are 0644). */
  readonly dir: string;
  /** A file whose content stands in for the boot id: `rebootMarker()` changes it, `cat` reads it. */
  readonly bootMarkerPath: string;
  /** The sshd log (LogLevel VERBOSE), for failure messages. */
  log(): Promise<string>;
  /** Stops sshd and every process below it (sessions and the user's commands), as a power-off would. Idempotent. */
  stop(): Promise<void>;
  /** Starts sshd again on the same port with the same keys (after `stop`). */
  start(): Promise<void>;
  /** SIGSTOPs sshd and every process below it: a host that hangs, or a network that silently drops packets. */
  freeze(): Promise<void>;
  /** SIGCONTs what `freeze` stopped. */
  thaw(): Promise<void>;
  /** Writes a new boot marker (a fresh random id). */
  rebootMarker(): Promise<string>;
  /** Stops sshd, removes the temp directory. */
  dispose(): Promise<void>;
}

export const TEST_SSH_USER = 'redback-test';
/** Only ever valid on a loopback sshd that these tests start. */
export const TEST_SSH_PASSWORD = 'rb-test-Pa55word!';
const USER_LOCK = join(tmpdir(), 'redback-test-user.lock');

export interface StartTestSshdOptions {
  /** Let the test user run anything through `sudo -n` (writes /etc/sudoers.d/redback-test; needs the sudo package). */
  sudo?: boolean;
  /** Extra sshd_config lines. They come first: sshd keeps the first value it reads for a keyword, so they win. */
  extraConfig?: string[];
}

export async function startTestSshd(options: StartTestSshdOptions = {}): Promise<TestSshd> {
  await ensureTestUser(options.sudo === true);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'redback-sshd-'));
  await chmod(dir, 0o755);

  const hostKey = join(dir, 'host_ed25519');
  const keyPath = join(dir, 'user_ed25519');
  const encryptedKeyPath = join(dir, 'user_encrypted_ed25519');
  const wrongKeyPath = join(dir, 'wrong_ed25519');
  const keyPassphrase = 'correct horse battery staple';
  await Promise.all([
    keygen(hostKey, ''),
    keygen(keyPath, ''),
    keygen(encryptedKeyPath, keyPassphrase),
    keygen(wrongKeyPath, ''),
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  const userKeys = await Promise.all([readFile(`${keyPath}.pub`, 'utf8'), readFile(`${encryptedKeyPath}.pub`, 'utf8')]);
  await writeFile(authorizedKeys, userKeys.join(''), { mode: 0o644 });

  const hostPublicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  const hostKeyFingerprint = fingerprintOf(hostPublicKey);
  const bootMarkerPath = join(dir, 'boot-id');
  const rebootMarker = async () => {
    const id = createHash('sha256').update(`${Date.now()}-${Math.random()}`).digest('hex').slice(0, 32);
    await writeFile(bootMarkerPath, `${id}\n`, { mode: 0o644 });
    return id;
  };
  await rebootMarker();

  const logPath = join(dir, 'sshd.log');
  const configPath = join(dir, 'sshd_config');
  let port = 0;
  let child: ChildProcess | undefined;

  const writeConfig = async () => {
    await writeFile(configPath, sshdConfig({ port, dir, hostKey, authorizedKeys, extra: options.extraConfig ?? [] }).join('\n') + '\n');
  };

  const start = async () => {
    if (child !== undefined) return;
    child = await spawnSshd(configPath, logPath, port);
  };

  // The free port can be taken between asking and binding; a few attempts make that race harmless.
  for (let attempt = 1; ; attempt++) {
    port = await findFreePort();
    await writeConfig();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }

  const knownHostsPath = join(dir, 'known_hosts');
  await writeFile(knownHostsPath, `[127.0.0.1]:${port} ${hostPublicKey}\n`);

  const stop = async () => {
    await signalTree('SIGCONT');
    const current = child;
    child = undefined;
    if (current?.pid === undefined) return;
    await killTree(current);
  };

  const signalTree = async (signal: NodeJS.Signals) => {
    const pid = child?.pid;
    if (pid === undefined) return;
    for (const p of [pid, ...(await descendantsOf(pid))]) {
      try {
        process.kill(p, signal);
      } catch {
        // gone meanwhile
      }
    }
  };

  return {
    host: '127.0.0.1',
    port,
    user: TEST_SSH_USER,
    password: TEST_SSH_PASSWORD,
    keyPath,
    encryptedKeyPath,
    keyPassphrase,
    wrongKeyPath,
    hostKeyFingerprint,
    hostPublicKey,
    knownHostsPath,
    dir,
    bootMarkerPath,
    log: async () => await readFile(logPath, 'utf8').catch(() => ''),
    stop,
    start,
    freeze: () => signalTree('SIGSTOP'),
    thaw: () => signalTree('SIGCONT'),
    rebootMarker,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function sshdConfig(o: { port: number; dir: string; hostKey: string; authorizedKeys: string; extra: string[] }): string[] {
  return [
    ...o.extra,
    `ListenAddress 127.0.0.1:${o.port}`,
    `HostKey ${o.hostKey}`,
    `PidFile ${join(o.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    // The keys and config live in a temp directory owned by root; StrictModes would reject nothing here, but the
    // user-facing check is about the user's home, which these tests do not use for keys.
    'StrictModes no',
    'UsePAM no',
    'UseDNS no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    `AllowUsers ${TEST_SSH_USER}`,
    // Fan-out tests open hundreds of connections at once; the default 10:30:100 would drop most of them.
    'MaxStartups 1000:30:2000',
    'MaxSessions 200',
    'MaxAuthTries 6',
    'LoginGraceTime 120',
    'X11Forwarding no',
    'AllowTcpForwarding yes',
    'PrintMotd no',
    'PrintLastLog no',
    'LogLevel VERBOSE',
  ];
}

async function spawnSshd(configPath: string, logPath: string, port: number): Promise<ChildProcess> {
  await run('/usr/sbin/sshd', ['-t', '-f', configPath]);
  // -D: stay in the foreground so this process owns it; -E: log to a file instead of syslog.
  const child = spawn('/usr/sbin/sshd', ['-D', '-f', configPath, '-E', logPath], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await answersWithBanner(port)) return child;
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
  child.kill('SIGKILL');
  const log = await readFile(logPath, 'utf8').catch(() => '');
  throw new Error(`test sshd on 127.0.0.1:${port} did not answer with an SSH banner within 15 s; its log:\n${log}`);
}

async function answersWithBanner(port: number): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-2.0-')));
  });
}

/** Kills sshd and all its descendants (per-connection sshd processes, the user's shells and commands). */
async function killTree(root: ChildProcess): Promise<void> {
  const pid = root.pid as number;
  const exited = root.exitCode !== null || root.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => root.once('exit', () => resolve()));
  const pids = [pid, ...(await descendantsOf(pid))];
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  // Wait until the kernel has reaped the children too, so the port is free and the sessions are really gone.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await Promise.all(pids.map(isAlive))).some(Boolean)) await new Promise((r) => setTimeout(r, 20));
}

async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined) continue;
    // Field 4 is the parent pid; the command name in field 2 may contain spaces, so parse after its ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(entry), ppid);
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        result.push(child);
        queue.push(child);
      }
    }
  }
  return result;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat !== undefined && !/^\S+ \(.*\) Z/.test(stat);
}

async function keygen(path: string, passphrase: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '8', '-N', passphrase, '-C', 'redback-test', '-f', path]);
}

/** OpenSSH's SHA256 fingerprint: base64 of the SHA-256 of the key blob, without padding. */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Creates the unprivileged test user once per machine (under a lock: test files start in parallel), with bash
 * and empty start-up files, so command output is exactly what the command printed.
 */
async function ensureTestUser(sudo: boolean): Promise<void> {
  const home = `/home/${TEST_SSH_USER}`;
  const script = [
    'set -e',
    `if ! id -u ${TEST_SSH_USER} >/dev/null 2>&1; then useradd --no-create-home --home-dir ${home} --shell /bin/bash ${TEST_SSH_USER}; fi`,
    `mkdir -p ${home}`,
    `: > ${home}/.bashrc; : > ${home}/.profile; : > ${home}/.bash_profile`,
    `chown -R ${TEST_SSH_USER}: ${home}`,
    `chmod 755 ${home}`,
    `echo '${TEST_SSH_USER}:${TEST_SSH_PASSWORD}' | chpasswd`,
    ...(sudo
      ? [
          'command -v sudo >/dev/null || { echo "sudo is not installed: apt-get install -y sudo" >&2; exit 3; }',
          `echo '${TEST_SSH_USER} ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/redback-test`,
          'chmod 0440 /etc/sudoers.d/redback-test',
        ]
      : []),
  ].join('\n');
  try {
    await run('flock', [USER_LOCK, 'sh', '-c', script]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`could not prepare the test user ${TEST_SSH_USER} (the tests must run as root): ${stderr.trim() || String(error)}`, { cause: error });
  }
}
