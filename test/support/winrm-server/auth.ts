import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  fileTime,
  NTLM_FLAGS,
  ntowfv2,
  ntProof,
  parseAuthenticateMessage,
} from '../../../src/execution/winrm/ntlm/index.js';

/**
 * Authentication as the Windows WinRM service does it: Basic per request; Negotiate (NTLM inside) per TCP
 * connection — a 401 carrying the challenge, then the authenticate message, after which the connection stays
 * authenticated (HTTP.sys keeps the security context on the connection).
 */
export interface AuthSettings {
  basic: boolean;
  negotiate: boolean;
  users: Readonly<Record<string, string>>;
  /** The NetBIOS name in the NTLM challenge. */
  computerName: string;
}

export type AuthOutcome =
  | { kind: 'ok'; user: string; scheme: 'basic' | 'negotiate' }
  | { kind: 'challenge'; header: string; scheme: 'negotiate' }
  | { kind: 'rejected'; scheme: 'basic' | 'negotiate' | 'none'; reason: string };

interface ConnectionState {
  serverChallenge?: Buffer;
  targetInfo?: Buffer;
  user?: string;
}

const connections = new WeakMap<Socket, ConnectionState>();

export function authenticate(request: IncomingMessage, settings: AuthSettings): AuthOutcome {
  const state = connections.get(request.socket) ?? {};
  connections.set(request.socket, state);
  const header = request.headers.authorization;
  if (header === undefined) {
    if (state.user !== undefined && settings.negotiate) return { kind: 'ok', user: state.user, scheme: 'negotiate' };
    return { kind: 'rejected', scheme: 'none', reason: 'no Authorization header' };
  }
  const [scheme = '', token = ''] = header.split(/\s+/, 2);
  if (/^basic$/i.test(scheme)) {
    if (!settings.basic) return { kind: 'rejected', scheme: 'basic', reason: 'Basic is disabled' };
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (colon < 0 || !sameSecret(settings.users[user], password)) return { kind: 'rejected', scheme: 'basic', reason: 'wrong user or password' };
    return { kind: 'ok', user, scheme: 'basic' };
  }
  if (/^(negotiate|ntlm)$/i.test(scheme)) {
    if (!settings.negotiate) return { kind: 'rejected', scheme: 'negotiate', reason: 'Negotiate is disabled' };
    const message = Buffer.from(token, 'base64');
    const type = message.length >= 12 && message.subarray(0, 8).toString('latin1') === 'NTLMSSP\0' ? message.readUInt32LE(8) : 0;
    if (type === 1) {
      state.user = undefined;
      state.serverChallenge = randomBytes(8);
      state.targetInfo = targetInfo(settings.computerName);
      return { kind: 'challenge', scheme: 'negotiate', header: `Negotiate ${challengeMessage(state.serverChallenge, state.targetInfo, settings.computerName).toString('base64')}` };
    }
    if (type === 3 && state.serverChallenge !== undefined) {
      const serverChallenge = state.serverChallenge;
      state.serverChallenge = undefined;
      const user = verifyAuthenticate(message, serverChallenge, settings.users);
      if (user === undefined) return { kind: 'rejected', scheme: 'negotiate', reason: 'NTLMv2 response does not match' };
      state.user = user;
      return { kind: 'ok', user, scheme: 'negotiate' };
    }
    return { kind: 'rejected', scheme: 'negotiate', reason: type === 3 ? 'authenticate message without a challenge on this connection' : 'not an NTLM message (Kerberos is not modelled)' };
  }
  return { kind: 'rejected', scheme: 'none', reason: `unsupported scheme ${scheme}` };
}

/** The WWW-Authenticate headers of a 401, in the order Windows lists them. */
export function challengeHeaders(settings: AuthSettings): string[] {
  const headers: string[] = [];
  if (settings.negotiate) headers.push('Negotiate');
  if (settings.basic) headers.push('Basic realm="WSMAN"');
  return headers;
}

function verifyAuthenticate(message: Buffer, serverChallenge: Buffer, users: Readonly<Record<string, string>>): string | undefined {
  let parsed;
  try {
    parsed = parseAuthenticateMessage(message);
  } catch {
    return undefined;
  }
  // Windows only accepts NTLMv2 here (LmCompatibilityLevel 5 is the default on current servers).
  if (parsed.ntResponse.length <= 24) return undefined;
  const password = users[parsed.user];
  if (password === undefined) return undefined;
  const proof = parsed.ntResponse.subarray(0, 16);
  const blob = parsed.ntResponse.subarray(16);
  const expected = ntProof(ntowfv2(password, parsed.user, parsed.domain), serverChallenge, blob);
  return timingSafeEqual(proof, expected) ? parsed.user : undefined;
}

function sameSecret(expected: string | undefined, given: string): boolean {
  if (expected === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function avPair(id: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt16LE(id, 0);
  header.writeUInt16LE(value.length, 2);
  return Buffer.concat([header, value]);
}

function targetInfo(computerName: string): Buffer {
  const name = Buffer.from(computerName, 'utf16le');
  return Buffer.concat([
    avPair(2, name), // MsvAvNbDomainName
    avPair(1, name), // MsvAvNbComputerName
    avPair(4, Buffer.from(computerName.toLowerCase(), 'utf16le')), // MsvAvDnsDomainName
    avPair(3, Buffer.from(computerName.toLowerCase(), 'utf16le')), // MsvAvDnsComputerName
    avPair(7, fileTime(Date.now())), // MsvAvTimestamp
    avPair(0, Buffer.alloc(0)),
  ]);
}

function challengeMessage(serverChallenge: Buffer, info: Buffer, computerName: string): Buffer {
  const target = Buffer.from(computerName, 'utf16le');
  const flags =
    NTLM_FLAGS.unicode |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.alwaysSign |
    0x00020000 | // target type: server
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.targetInfo |
    NTLM_FLAGS.version |
    NTLM_FLAGS.bits128 |
    NTLM_FLAGS.keyExchange |
    NTLM_FLAGS.bits56;
  const header = Buffer.alloc(56);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(target.length, 12);
  header.writeUInt16LE(target.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(flags >>> 0, 20);
  serverChallenge.copy(header, 24);
  header.writeUInt16LE(info.length, 40);
  header.writeUInt16LE(info.length, 42);
  header.writeUInt32LE(56 + target.length, 44);
  Buffer.from([10, 0, 0x63, 0x45, 0, 0, 0, 15]).copy(header, 48); // Windows 10.0 build 17763
  return Buffer.concat([header, target, info]);
}
