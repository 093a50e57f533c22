import { appendFile, readFile } from 'node:fs/promises';
import { judgeHostKey, keyTypeOf, knownHostsName, parseKnownHosts, sha256Fingerprint, entryMatchesHost, type KnownHostEntry } from './known-hosts.js';
import type { HostKeyPolicy, LearnedHostKey } from './ssh-options.js';

/** The outcome of checking the key a server presented; `reason` is set when the key is refused. */
export interface HostKeyCheck {
  accepted: boolean;
  reason?: string;
  learned?: LearnedHostKey;
}

/**
 * A host-key checker for one connection attempt: reads the known_hosts file once, then judges the key the server
 * presents during the handshake (synchronously, as ssh2 asks).
 */
export interface PreparedHostKeyPolicy {
  check(keyBlob: Buffer): HostKeyCheck;
  /** Host key algorithms to offer, so the server presents a key of a type the pins know (OpenSSH does the same). */
  preferredAlgorithms: string[] | undefined;
  /** Called after the connection is authenticated: records a key learned on first use. */
  commit(check: HostKeyCheck): Promise<void>;
}

const ALGORITHMS_FOR_KEY_TYPE: Record<string, string[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
};

export async function prepareHostKeyPolicy(policy: HostKeyPolicy, host: string, port: number): Promise<PreparedHostKeyPolicy> {
  let entries: KnownHostEntry[] = [];
  if (policy.knownHostsPath !== undefined) {
    try {
      entries = parseKnownHosts(await readFile(policy.knownHostsPath, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing file is an empty one only when trust on first use is allowed to create it.
      if (!(code === 'ENOENT' && policy.trustOnFirstUse === true)) {
        throw new Error(`cannot read known_hosts file ${policy.knownHostsPath} (${code ?? String(error)}); check the path in the host's ssh.known_hosts`, { cause: error });
      }
    }
  }
  const knownTypes = [...new Set(entries.filter((e) => !e.revoked && entryMatchesHost(e, host, port)).map((e) => e.keyType))];
  const preferredAlgorithms = knownTypes.length === 0 ? undefined : knownTypes.flatMap((t) => ALGORITHMS_FOR_KEY_TYPE[t] ?? [t]);

  return {
    preferredAlgorithms,
    check: (keyBlob) => checkKey(policy, entries, host, port, keyBlob),
    commit: async (check) => {
      if (check.learned === undefined) return;
      if (policy.knownHostsPath !== undefined) {
        await appendFile(policy.knownHostsPath, `${knownHostsName(host, port)} ${check.learned.publicKey}\n`, { mode: 0o600 });
      }
      policy.onLearned?.(check.learned);
    },
  };
}

function checkKey(policy: HostKeyPolicy, entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyCheck {
  const fingerprint = sha256Fingerprint(keyBlob);
  const pinned = policy.fingerprint !== undefined;
  if (pinned) {
    if (normaliseFingerprint(policy.fingerprint as string) !== fingerprint) {
      return { accepted: false, reason: `the server presented host key ${fingerprint}, but ${policy.fingerprint} is pinned; if the host was really reinstalled, update ssh.host_key` };
    }
  }
  if (policy.knownHostsPath !== undefined) {
    const verdict = judgeHostKey(entries, host, port, keyBlob);
    if (verdict.kind === 'revoked') return { accepted: false, reason: `host key ${fingerprint} is marked @revoked in ${policy.knownHostsPath} line ${verdict.line}` };
    if (verdict.kind === 'changed') {
      return { accepted: false, reason: `the server presented host key ${fingerprint}, which differs from ${policy.knownHostsPath} line ${verdict.lines.join(', ')}; if the host was really reinstalled, remove the old line` };
    }
    if (verdict.kind === 'match') return { accepted: true };
  }
  if (pinned) return { accepted: true };
  if (policy.trustOnFirstUse === true) {
    return { accepted: true, learned: { host, port, fingerprint, publicKey: `${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}` } };
  }
  if (policy.knownHostsPath !== undefined) {
    return { accepted: false, reason: `host key ${fingerprint} of ${knownHostsName(host, port)} is not in ${policy.knownHostsPath}; add it (ssh-keyscan, checked out of band) or set trust_on_first_use` };
  }
  return { accepted: false, reason: `host key ${fingerprint} is not pinned: set ssh.host_key or ssh.known_hosts (or trust_on_first_use explicitly)` };
}

function normaliseFingerprint(value: string): string {
  return value.trim().replace(/=+$/, '');
}
