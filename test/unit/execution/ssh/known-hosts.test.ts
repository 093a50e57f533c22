import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { entryMatchesHost, judgeHostKey, keyTypeOf, knownHostsName, parseKnownHosts, sha256Fingerprint } from '../../../../src/execution/ssh/known-hosts.js';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const b = Buffer.from(body);
  const length = (n: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(n);
    return buffer;
  };
  return Buffer.concat([length(t.length), t, length(b.length), b]);
}

const KEY_A = blob('ssh-ed25519', 'key-a-material-32-bytes-long!!!!');
const KEY_B = blob('ssh-ed25519', 'key-b-material-32-bytes-long!!!!');
const RSA = blob('ssh-rsa', 'rsa-material');
const line = (patterns: string, key: Buffer) => `${patterns} ${keyTypeOf(key)} ${key.toString('base64')}`;

describe('known_hosts', () => {
  it('names a host as OpenSSH does: bare on port 22, [host]:port otherwise', () => {
    expect(knownHostsName('web01', 22)).toBe('web01');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });

  it('skips comments, blank lines and @cert-authority lines, and keeps line numbers', () => {
    const entries = parseKnownHosts(`# header\n\n${line('web01', KEY_A)}\n@cert-authority *.example ${KEY_B.toString('base64')}\n@revoked ${line('*', KEY_B)}\n`);
    expect(entries.map((e) => [e.patterns, e.line, e.revoked])).toEqual([
      ['web01', 3, false],
      ['*', 5, true],
    ]);
  });

  it('matches comma lists, wildcards, negation, case-insensitively, and [host]:port literally', () => {
    const [entry] = parseKnownHosts(line('web0?,*.Acme.example,!bad.acme.example,[10.0.0.5]:2222', KEY_A));
    const e = entry as NonNullable<typeof entry>;
    expect(entryMatchesHost(e, 'web01', 22)).toBe(true);
    expect(entryMatchesHost(e, 'db.acme.example', 22)).toBe(true);
    expect(entryMatchesHost(e, 'bad.acme.example', 22)).toBe(false);
    expect(entryMatchesHost(e, '10.0.0.5', 2222)).toBe(true);
    expect(entryMatchesHost(e, '10.0.0.5', 22)).toBe(false);
    expect(entryMatchesHost(e, 'web01', 2222)).toBe(false);
  });

  it('matches hashed host names (|1|salt|hmac)', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hash = createHmac('sha1', salt).update('[127.0.0.1]:2200').digest('base64');
    const [entry] = parseKnownHosts(line(`|1|${salt.toString('base64')}|${hash}`, KEY_A));
    expect(entryMatchesHost(entry as NonNullable<typeof entry>, '127.0.0.1', 2200)).toBe(true);
    expect(entryMatchesHost(entry as NonNullable<typeof entry>, '127.0.0.1', 2201)).toBe(false);
  });

  it('judges a key: match, changed (with lines), revoked, unknown', () => {
    const entries = parseKnownHosts([line('web01', KEY_A), line('web02', KEY_A), `@revoked ${line('*', RSA)}`].join('\n'));
    expect(judgeHostKey(entries, 'web01', 22, KEY_A)).toEqual({ kind: 'match' });
    expect(judgeHostKey(entries, 'web01', 22, KEY_B)).toEqual({ kind: 'changed', lines: [1] });
    expect(judgeHostKey(entries, 'web01', 22, RSA)).toEqual({ kind: 'revoked', line: 3 });
    expect(judgeHostKey(entries, 'web03', 22, KEY_A)).toEqual({ kind: 'unknown' });
  });

  it('treats a host listed only with another key type as changed, not unknown', () => {
    const entries = parseKnownHosts(line('web01', RSA));
    expect(judgeHostKey(entries, 'web01', 22, KEY_A)).toEqual({ kind: 'changed', lines: [1] });
  });

  it('computes the fingerprint ssh-keygen prints: SHA256 and unpadded base64', () => {
    const expected = createHash('sha256').update(KEY_A).digest('base64').replace(/=+$/, '');
    expect(sha256Fingerprint(KEY_A)).toBe(`SHA256:${expected}`);
    expect(sha256Fingerprint(KEY_A)).not.toMatch(/=$/);
  });
});
