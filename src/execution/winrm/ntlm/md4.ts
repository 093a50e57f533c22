/**
 * MD4 (RFC 1320). NTLM's password hash needs it, and Node 20's OpenSSL 3 leaves it in the legacy provider,
 * so `createHash('md4')` throws. Used only inside NTLM, never as a general-purpose hash.
 */
export function md4(input: Buffer): Buffer {
  const paddedLength = (input.length + 9 + 63) & ~63;
  const block = Buffer.alloc(paddedLength);
  input.copy(block);
  block[input.length] = 0x80;
  block.writeUInt32LE((input.length * 8) >>> 0, paddedLength - 8);
  block.writeUInt32LE(Math.floor(input.length / 0x20000000), paddedLength - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);
  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i += 1) x[i] = block.readUInt32LE(offset + i * 4);
    const [aa, bb, cc, dd] = [a, b, c, d];
    const word = (i: number): number => x[i] ?? 0;
    const f = (p: number, q: number, r: number): number => (p & q) | (~p & r);
    const g = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
    const h = (p: number, q: number, r: number): number => p ^ q ^ r;
    for (const i of [0, 4, 8, 12]) {
      a = rotl(a + f(b, c, d) + word(i), 3);
      d = rotl(d + f(a, b, c) + word(i + 1), 7);
      c = rotl(c + f(d, a, b) + word(i + 2), 11);
      b = rotl(b + f(c, d, a) + word(i + 3), 19);
    }
    for (const i of [0, 1, 2, 3]) {
      a = rotl(a + g(b, c, d) + word(i) + 0x5a827999, 3);
      d = rotl(d + g(a, b, c) + word(i + 4) + 0x5a827999, 5);
      c = rotl(c + g(d, a, b) + word(i + 8) + 0x5a827999, 9);
      b = rotl(b + g(c, d, a) + word(i + 12) + 0x5a827999, 13);
    }
    for (const i of [0, 2, 1, 3]) {
      a = rotl(a + h(b, c, d) + word(i) + 0x6ed9eba1, 3);
      d = rotl(d + h(a, b, c) + word(i + 8) + 0x6ed9eba1, 9);
      c = rotl(c + h(d, a, b) + word(i + 4) + 0x6ed9eba1, 11);
      b = rotl(b + h(c, d, a) + word(i + 12) + 0x6ed9eba1, 15);
    }
    a = (a + aa) >>> 0;
    b = (b + bb) >>> 0;
    c = (c + cc) >>> 0;
    d = (d + dd) >>> 0;
  }
  const digest = Buffer.alloc(16);
  digest.writeUInt32LE(a, 0);
  digest.writeUInt32LE(b, 4);
  digest.writeUInt32LE(c, 8);
  digest.writeUInt32LE(d, 12);
  return digest;
}

function rotl(value: number, bits: number): number {
  const v = value >>> 0;
  return ((v << bits) | (v >>> (32 - bits))) >>> 0;
}
