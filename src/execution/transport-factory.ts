import { isAbsolute, join } from 'node:path';
import type { Host } from '../config/index.js';
import { AppError } from '../errors.js';
import type { Logger } from '../platform/logger.js';
import { readSecret } from '../platform/secrets.js';
import { LocalTransport } from './local/index.js';
import { createSshTransport, type HostKeyPolicy, type LearnedHostKey, type SshConnectionOptions } from './ssh/index.js';
import type { Transport } from './transport.js';
import { createWinrmTransport } from './winrm/index.js';

export interface TransportFactoryOptions {
  /** The configuration directory: relative key, known_hosts and CA paths are resolved against it. */
  configDir: string;
  /** All inventory hosts, to resolve `ssh.jump_host` ids. */
  hosts?: readonly Host[];
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Told about a host key accepted on first use (it is also appended to the host's known_hosts file, if any). */
  onHostKeyLearned?: (hostId: string, learned: LearnedHostKey) => void;
}

/** The transport for one inventory host: secrets are resolved here, at the moment the connection is needed. */
export function createTransport(host: Host, options: TransportFactoryOptions): Transport {
  switch (host.transport) {
    case 'ssh':
      return createSshTransport({ ...sshConnectionOptions(host, options, []), logger: options.logger });
    case 'winrm':
      return createWinrmTransport(winrmOptions(host, options));
    case 'local':
      return new LocalTransport({ hostId: host.id });
  }
}

function sshConnectionOptions(host: Host, options: TransportFactoryOptions, via: string[]): SshConnectionOptions {
  const credentials = requireCredentials(host);
  const secret = (reference: string | undefined) => (reference === undefined ? undefined : readSecret(reference, { baseDir: options.configDir, env: options.env }));
  const ssh = host.ssh;
  const hostKey: HostKeyPolicy = {
    fingerprint: ssh?.hostKey,
    knownHostsPath: ssh?.knownHosts === undefined ? undefined : resolvePath(options.configDir, ssh.knownHosts),
    trustOnFirstUse: ssh?.trustOnFirstUse ?? false,
    onLearned: (learned) => {
      if (ssh?.knownHosts === undefined) {
        options.logger?.warn({ hostId: host.id, fingerprint: learned.fingerprint }, 'host key trusted on first use but not kept: set ssh.known_hosts so it is pinned from now on');
      }
      options.onHostKeyLearned?.(host.id, learned);
    },
  };
  let agent: string | undefined;
  if (credentials.agent) {
    agent = (options.env ?? process.env).SSH_AUTH_SOCK;
    if (agent === undefined || agent === '') {
      throw new AppError('prerequisite-missing', `host ${host.id}: credentials.agent is true but SSH_AUTH_SOCK is not set; start ssh-agent and add the key, or use private_key`);
    }
  }
  let jump: SshConnectionOptions | undefined;
  if (ssh?.jumpHost !== undefined) {
    const jumpHost = options.hosts?.find((h) => h.id === ssh.jumpHost);
    if (jumpHost === undefined) throw new AppError('config-invalid', `host ${host.id}: ssh.jump_host ${ssh.jumpHost} is not an inventory host; add it or remove jump_host`);
    if (jumpHost.transport !== 'ssh') throw new AppError('config-invalid', `host ${host.id}: jump host ${jumpHost.id} uses transport ${jumpHost.transport}; a jump host must use ssh`);
    if (via.includes(jumpHost.id) || jumpHost.id === host.id) {
      throw new AppError('config-invalid', `host ${host.id}: jump hosts form a loop (${[...via, host.id, jumpHost.id].join(' -> ')}); break the loop in ssh.jump_host`);
    }
    jump = sshConnectionOptions(jumpHost, options, [...via, host.id]);
  }
  return {
    hostId: host.id,
    host: host.address,
    port: host.port,
    username: credentials.user,
    privateKey: secret(credentials.privateKey),
    passphrase: secret(credentials.passphrase),
    password: secret(credentials.password),
    agent,
    hostKey,
    jump,
    keepaliveMs: ssh?.keepaliveMs,
  };
}

function winrmOptions(host: Host, options: TransportFactoryOptions): Parameters<typeof createWinrmTransport>[0] {
  const credentials = requireCredentials(host);
  if (credentials.password === undefined) {
    throw new AppError('config-invalid', `host ${host.id}: WinRM needs credentials.password (a reference such as env:NAME); keys and agents are SSH only`);
  }
  const winrm = host.winrm;
  return {
    hostId: host.id,
    address: host.address,
    port: host.port,
    scheme: winrm?.scheme ?? 'https',
    user: credentials.user,
    password: readSecret(credentials.password, { baseDir: options.configDir, env: options.env }),
    auth: winrm?.auth ?? 'ntlm',
    ca: winrm?.ca === undefined ? undefined : readSecret(`file:${resolvePath(options.configDir, winrm.ca)}`),
    certificateFingerprint: winrm?.certificateFingerprint,
    logger: options.logger,
  };
}

function requireCredentials(host: Host): NonNullable<Host['credentials']> {
  if (host.credentials === undefined) {
    throw new AppError('config-invalid', `host ${host.id}: transport ${host.transport} needs credentials (user and a key, password or agent reference)`);
  }
  return host.credentials;
}

function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : join(baseDir, path);
}
