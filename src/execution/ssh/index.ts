export { SshTransport, createSshTransport } from './ssh-transport.js';
export type { SshTransportOptions, SshConnectionOptions, HostKeyPolicy, LearnedHostKey, RebootCommands } from './ssh-options.js';
export { DEFAULT_BOOT_ID_COMMAND, DEFAULT_REBOOT_COMMAND } from './reboot.js';
export { sha256Fingerprint, parseKnownHosts, knownHostsName } from './known-hosts.js';
