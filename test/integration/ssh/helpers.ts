import { readFileSync } from 'node:fs';
import type { SshTransportOptions } from '../../../src/execution/ssh/index.js';
import type { TestSshd } from '../../support/sshd.js';

/** Transport options for the test sshd: key auth, host key pinned by fingerprint. */
export function sshOptions(sshd: TestSshd, overrides: Partial<SshTransportOptions> = {}): SshTransportOptions {
  return {
    hostId: 'test-sshd',
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: readFileSync(sshd.keyPath),
    hostKey: { fingerprint: sshd.hostKeyFingerprint },
    connectTimeoutMs: 20_000,
    ...overrides,
  };
}

/** Processes of `user` (default: the test user) whose command line contains `marker` (pgrep -f), as pids. */
export async function remoteProcessesWith(marker: string, user = 'redback-test'): Promise<number[]> {
  const { execFile } = await import('node:child_process');
  return await new Promise((resolve) => {
    execFile('pgrep', ['-u', user, '-f', marker], (_error, stdout) => {
      resolve(stdout.split('\n').filter((l) => l.trim() !== '').map(Number));
    });
  });
}

export function uniqueMarker(): string {
  return `rbmark${process.pid}x${Math.random().toString(36).slice(2, 10)}`;
}
