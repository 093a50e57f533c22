import { randomBytes } from 'node:crypto';
import { fileTime, hmacMd5, ntlmv2Blob, ntowfv2, ntProof } from './ntlmv2.js';

/** NTLM negotiate flags used here ([MS-NLMP] 2.2.2.5). */
export const NTLM_FLAGS = {
  unicode: 0x00000001,
  requestTarget: 0x00000004,
  ntlm: 0x00000200,
  alwaysSign: 0x00008000,
  extendedSessionSecurity: 0x00080000,
  targetInfo: 0x00800000,
  version: 0x02000000,
  bits128: 0x20000000,
  keyExchange: 0x40000000,
  bits56: 0x80000000,
} as const;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
/** Windows 10.0, build 0, NTLMSSP revision 15: the Version field we announce. */
const VERSION = Buffer.from([10, 0, 0, 0, 0, 0, 0, 15]);
const AV_EOL = 0;
const AV_TIMESTAMP = 7;

export class NtlmMessageError extends Error {}

/** Type 1. No domain or workstation is sent: Windows takes them from the Type 3 message. */
export function negotiateMessage(): Buffer {
  const flags =
    NTLM_FLAGS.unicode |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.alwaysSign |
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.version |
    NTLM_FLAGS.bits128 |
    NTLM_FLAGS.bits56;
  const message = Buffer.alloc(40);
  SIGNATURE.copy(message, 0);
  message.writeUInt32LE(1, 8);
  message.writeUInt32LE(flags >>> 0, 12);
  // Domain and workstation fields stay empty, pointing at the end of the fixed part.
  message.writeUInt32LE(40, 20);
  message.writeUInt32LE(40, 28);
  VERSION.copy(message, 32);
  return message;
}

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetInfo: Buffer;
}

export function parseChallengeMessage(message: Buffer): ChallengeMessage {
  if (message.length < 32 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 2) {
    throw new NtlmMessageError('the server\'s NTLM challenge is not an NTLMSSP type 2 message');
  }
  const flags = message.readUInt32LE(20);
  const serverChallenge = Buffer.from(message.subarray(24, 32));
  let targetInfo = Buffer.alloc(0);
  if (message.length >= 48) {
    const length = message.readUInt16LE(40);
    const offset = message.readUInt32LE(44);
    if (offset + length > message.length) throw new NtlmMessageError('the server\'s NTLM challenge has a target-info field beyond its end');
    targetInfo = Buffer.from(message.subarray(offset, offset + length));
  }
  return { flags, serverChallenge, targetInfo };
}

/** Finds an AV pair's value in an NTLM target-info block. */
export function findAvPair(targetInfo: Buffer, id: number): Buffer | undefined {
  let offset = 0;
  while (offset + 4 <= targetInfo.length) {
    const avId = targetInfo.readUInt16LE(offset);
    const length = targetInfo.readUInt16LE(offset + 2);
    if (avId === AV_EOL) return undefined;
    if (avId === id) return targetInfo.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
  }
  return undefined;
}

export interface NtlmCredentials {
  user: string;
  domain: string;
  password: string;
}

/** Splits `DOMAIN\user` into its parts; `user@domain` (UPN) and bare names go whole with an empty domain. */
export function splitNtlmUser(login: string): { user: string; domain: string } {
  const slash = login.indexOf('\\');
  if (slash > 0) return { domain: login.slice(0, slash), user: login.slice(slash + 1) };
  return { domain: '', user: login };
}

/** Type 3 with an NTLMv2 response; no session key is exchanged because messages are not sealed (TLS covers them). */
export function authenticateMessage(
  credentials: NtlmCredentials,
  challenge: ChallengeMessage,
  options: { nowMs?: number; clientChallenge?: Buffer } = {},
): Buffer {
  const clientChallenge = options.clientChallenge ?? randomBytes(8);
  const serverTimestamp = findAvPair(challenge.targetInfo, AV_TIMESTAMP);
  const timestamp = serverTimestamp === undefined ? fileTime(options.nowMs ?? Date.now()) : Buffer.from(serverTimestamp);
  const key = ntowfv2(credentials.password, credentials.user, credentials.domain);
  const blob = ntlmv2Blob(timestamp, clientChallenge, challenge.targetInfo);
  const ntResponse = Buffer.concat([ntProof(key, challenge.serverChallenge, blob), blob]);
  // With a server timestamp the LMv2 response must be zeros ([MS-NLMP] 3.1.5.1.2).
  const lmResponse =
    serverTimestamp === undefined
      ? Buffer.concat([hmacMd5(key, challenge.serverChallenge, clientChallenge), clientChallenge])
      : Buffer.alloc(24);
  const wanted =
    NTLM_FLAGS.unicode |
    NTLM_FLAGS.requestTarget |
    NTLM_FLAGS.ntlm |
    NTLM_FLAGS.alwaysSign |
    NTLM_FLAGS.extendedSessionSecurity |
    NTLM_FLAGS.targetInfo |
    NTLM_FLAGS.version |
    NTLM_FLAGS.bits128 |
    NTLM_FLAGS.bits56;
  const flags = (challenge.flags & wanted) | NTLM_FLAGS.unicode | NTLM_FLAGS.ntlm;
  const payloads = [
    lmResponse,
    ntResponse,
    Buffer.from(credentials.domain, 'utf16le'),
    Buffer.from(credentials.user, 'utf16le'),
    Buffer.alloc(0), // workstation
    Buffer.alloc(0), // encrypted random session key
  ];
  const header = Buffer.alloc(72);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(3, 8);
  let offset = header.length;
  payloads.forEach((payload, index) => {
    const field = 12 + index * 8;
    header.writeUInt16LE(payload.length, field);
    header.writeUInt16LE(payload.length, field + 2);
    header.writeUInt32LE(offset, field + 4);
    offset += payload.length;
  });
  header.writeUInt32LE(flags >>> 0, 60);
  VERSION.copy(header, 64);
  return Buffer.concat([header, ...payloads]);
}

export interface ParsedAuthenticate {
  flags: number;
  user: string;
  domain: string;
  workstation: string;
  lmResponse: Buffer;
  ntResponse: Buffer;
}

/** Reads a Type 3 message (used by the test server to check what a client sent). */
export function parseAuthenticateMessage(message: Buffer): ParsedAuthenticate {
  if (message.length < 64 || !message.subarray(0, 8).equals(SIGNATURE) || message.readUInt32LE(8) !== 3) {
    throw new NtlmMessageError('not an NTLMSSP type 3 message');
  }
  const field = (index: number): Buffer => {
    const at = 12 + index * 8;
    const length = message.readUInt16LE(at);
    const offset = message.readUInt32LE(at + 4);
    if (offset + length > message.length) throw new NtlmMessageError(`NTLM type 3 field ${index} points beyond the message`);
    return message.subarray(offset, offset + length);
  };
  const flags = message.readUInt32LE(60);
  const decode = (bytes: Buffer): string => bytes.toString(flags & NTLM_FLAGS.unicode ? 'utf16le' : 'latin1');
  return {
    flags,
    lmResponse: field(0),
    ntResponse: field(1),
    domain: decode(field(2)),
    user: decode(field(3)),
    workstation: decode(field(4)),
  };
}
