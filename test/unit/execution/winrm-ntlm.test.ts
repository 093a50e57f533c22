import { describe, expect, it } from 'vitest';
import {
  authenticateMessage,
  md4,
  ntlmv2Blob,
  ntowfv2,
  ntProof,
  parseAuthenticateMessage,
  parseChallengeMessage,
  splitNtlmUser,
} from '../../../src/execution/winrm/ntlm/index.js';

describe('MD4 (RFC 1320 test suite)', () => {
  it.each([
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['1234567890'.repeat(8), 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ])('md4(%j)', (input, digest) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(digest);
  });
});

describe('NTLMv2 ([MS-NLMP] 4.2.4 test vectors)', () => {
  const serverChallenge = Buffer.from('0123456789abcdef', 'hex');
  const clientChallenge = Buffer.alloc(8, 0xaa);
  const time = Buffer.alloc(8);
  const targetInfo = Buffer.concat([
    Buffer.from([0x02, 0x00, 0x0c, 0x00]),
    Buffer.from('Domain', 'utf16le'),
    Buffer.from([0x01, 0x00, 0x0c, 0x00]),
    Buffer.from('Server', 'utf16le'),
    Buffer.alloc(4),
  ]);

  it('derives NTOWFv2 from user, domain and password', () => {
    expect(ntowfv2('Password', 'User', 'Domain').toString('hex')).toBe('0c868a403bfd7a93a3001ef22ef02e3f');
  });

  it('computes NTProofStr over the server challenge and the client blob', () => {
    const blob = ntlmv2Blob(time, clientChallenge, targetInfo);
    expect(ntProof(ntowfv2('Password', 'User', 'Domain'), serverChallenge, blob).toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
  });

  it('builds a type 3 message the server side reads back, with that proof and the LMv2 response', () => {
    const challenge = parseChallengeMessage(
      Buffer.concat([
        Buffer.from('NTLMSSP\0', 'latin1'),
        Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from([0x33, 0x82, 0x8a, 0xe2]),
        serverChallenge,
        Buffer.alloc(8),
        Buffer.from([targetInfo.length, 0, targetInfo.length, 0, 48, 0, 0, 0]),
        targetInfo,
      ]),
    );
    expect(challenge.serverChallenge.equals(serverChallenge)).toBe(true);
    const message = authenticateMessage({ user: 'User', domain: 'Domain', password: 'Password' }, challenge, { nowMs: -11_644_473_600_000, clientChallenge });
    const parsed = parseAuthenticateMessage(message);
    expect(parsed).toMatchObject({ user: 'User', domain: 'Domain', workstation: '' });
    expect(parsed.ntResponse.subarray(0, 16).toString('hex')).toBe('68cd0ab851e51c96aabc927bebef6a1c');
    expect(parsed.lmResponse.toString('hex')).toBe('86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  });

  it('splits DOMAIN\\user and keeps a UPN whole', () => {
    expect(splitNtlmUser('CORP\\patcher')).toEqual({ domain: 'CORP', user: 'patcher' });
    expect(splitNtlmUser('patcher@corp.example')).toEqual({ domain: '', user: 'patcher@corp.example' });
  });
});
