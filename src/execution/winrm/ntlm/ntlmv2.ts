import { createHmac } from 'node:crypto';
import { md4 } from './md4.js';

/** NTOWFv2 ([MS-NLMP] 3.3.2): HMAC-MD5 over UPPER(user) + domain, keyed by MD4 of the UTF-16LE password. */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  const ntHash = md4(Buffer.from(password, 'utf16le'));
  return hmacMd5(ntHash, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

export function hmacMd5(key: Buffer, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('md5', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** The NTLMv2 client blob ("temp" in [MS-NLMP] 3.3.2) that follows NTProofStr in the NT response. */
export function ntlmv2Blob(timestamp: Buffer, clientChallenge: Buffer, targetInfo: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([0x01, 0x01, 0, 0, 0, 0, 0, 0]),
    timestamp,
    clientChallenge,
    Buffer.alloc(4),
    targetInfo,
    Buffer.alloc(4),
  ]);
}

/** NTProofStr = HMAC-MD5(NTOWFv2, ServerChallenge + blob). */
export function ntProof(responseKey: Buffer, serverChallenge: Buffer, blob: Buffer): Buffer {
  return hmacMd5(responseKey, serverChallenge, blob);
}

/** Windows FILETIME (100 ns ticks since 1601-01-01) as 8 little-endian bytes. */
export function fileTime(epochMs: number): Buffer {
  const ticks = (BigInt(epochMs) + 11_644_473_600_000n) * 10_000n;
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ticks);
  return bytes;
}
