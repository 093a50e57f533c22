import type { Logger } from '../../platform/logger.js';

/** Everything needed to open one SSH connection. Secrets are resolved values here, never references. */
export interface SshConnectionOptions {
  /** Inventory id (or the URI) of the host, for messages. */
  hostId: string;
  host: string;
  port: number;
  username: string;
  /** Private key text (OpenSSH or PEM). */
  privateKey?: string | Buffer;
  passphrase?: string;
  password?: string;
  /** Path of an ssh-agent socket (usually $SSH_AUTH_SOCK). */
  agent?: string;
  hostKey: HostKeyPolicy;
  /** Tunnel through this host first (its own credentials and host-key policy). */
  jump?: SshConnectionOptions;
  /** Interval of SSH keepalive packets; 0 turns them off. Default 15 s. */
  keepaliveMs?: number;
  /** Time allowed for TCP connect + handshake + authentication. Default 20 s. */
  connectTimeoutMs?: number;
}

/**
 * How the server's host key is checked. At least one of `fingerprint` and `knownHostsPath` must be given unless
 * `trustOnFirstUse` is set; an unknown or changed key otherwise fails with class `host-key`.
 */
export interface HostKeyPolicy {
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint?: string;
  knownHostsPath?: string;
  /**
   * Accept a key the pins say nothing about, and remember it: appended to `knownHostsPath` when given, and
   * reported through `onLearned`. A key that contradicts a pin is still refused.
   */
  trustOnFirstUse?: boolean;
  onLearned?: (learned: LearnedHostKey) => void;
}

export interface LearnedHostKey {
  host: string;
  port: number;
  fingerprint: string;
  /** `ssh-ed25519 AAAA…` */
  publicKey: string;
}

export interface RebootCommands {
  /** Issues the reboot. Default: `systemctl reboot || shutdown -r now`, run with `become`. */
  command?: string;
  /** Prints something that changes with every boot. Default: `cat /proc/sys/kernel/random/boot_id`. */
  bootIdCommand?: string;
  /** Run `command` through sudo. Default true. */
  become?: boolean;
}

export interface SshTransportOptions extends SshConnectionOptions {
  reboot?: RebootCommands;
  logger?: Logger;
}
