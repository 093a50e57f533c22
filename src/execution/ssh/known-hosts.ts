import { createHash, createHmac } from 'node:crypto';

/**
 * OpenSSH known_hosts, read-only and pure: which keys a file lists for a host. Supports plain and hashed
 * (`|1|salt|hash`) host patterns, `[host]:port` for non-standard ports, `*`/`?` wildcards, `!` negation and the
 * `@revoked` marker. `@cert-authority` lines are ignored (certificates are not supported).
 */
export interface KnownHostEntry {
  patterns: string;
  keyType: string;
  /** The key blob, base64 as in the file. */
  key: string;
  revoked: boolean;
  line: number;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') return;
      revoked = marker === '@revoked';
    }
    const [patterns, keyType, key] = fields;
    if (patterns === undefined || keyType === undefined || key === undefined) return;
    entries.push({ patterns, keyType, key, revoked, line: index + 1 });
  });
  return entries;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.patterns.startsWith('|1|')) return hashedPatternMatches(entry.patterns, name);
  let matched = false;
  for (const pattern of entry.patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (wildcardMatches(body.toLowerCase(), name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedPatternMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (salt === undefined || hash === undefined) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function wildcardMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}

/** OpenSSH's SHA256 fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH key blob (its first length-prefixed string). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

export type KnownHostsVerdict =
  | { kind: 'match' }
  | { kind: 'revoked'; line: number }
  | { kind: 'changed'; lines: number[] }
  | { kind: 'unknown' };

/** What a known_hosts file says about this key for this host. */
export function judgeHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): KnownHostsVerdict {
  const presented = keyBlob.toString('base64');
  const forHost = entries.filter((e) => entryMatchesHost(e, host, port));
  const revoked = entries.find((e) => e.revoked && e.key === presented);
  if (revoked !== undefined) return { kind: 'revoked', line: revoked.line };
  if (forHost.some((e) => !e.revoked && e.key === presented)) return { kind: 'match' };
  const sameType = forHost.filter((e) => !e.revoked && e.keyType === keyTypeOf(keyBlob));
  // A host listed only with keys of another type is "unknown" for this type in OpenSSH too, but a server that
  // switched key types is as suspicious as a changed key: any listing of the host without this key is a change.
  const others = sameType.length > 0 ? sameType : forHost.filter((e) => !e.revoked);
  if (others.length > 0) return { kind: 'changed', lines: others.map((e) => e.line) };
  return { kind: 'unknown' };
}
