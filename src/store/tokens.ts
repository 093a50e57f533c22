import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';

/**
 * API tokens. A token is `rbk_<id>_<secret>`: the id finds the record, the secret is checked against an scrypt
 * hash with its own salt. The secret itself is never stored; it is returned once, by `createToken`.
 */
export interface TokenRecord {
  id: string;
  user: string;
  label: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
  /** scrypt parameters and output, hex; kept with the record so they can be raised later without breaking old tokens. */
  hash: { salt: string; key: string; N: number; r: number; p: number };
}

export type PublicTokenRecord = Omit<TokenRecord, 'hash'>;

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };
const TOKEN_PATTERN = /^rbk_([0-9a-f]{16})_([A-Za-z0-9_-]{32,})$/;

function tokenKeys(prefix: string) {
  return { token: (id: string) => `${prefix}:token:${id}`, all: `${prefix}:tokens` };
}

function deriveKey(secret: string, salt: Buffer, options: ScryptOptions & { keyLength: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, options.keyLength, { N: options.N, r: options.r, p: options.p }, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

/** Creates a token for `user`; the returned `token` is the only copy of its secret. */
export async function createToken(redis: Redis, prefix: string, input: { user: string; label: string; createdBy: string; now: Date }): Promise<{ token: string; record: PublicTokenRecord }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const key = await deriveKey(secret, salt, SCRYPT);
  const record: TokenRecord = {
    id,
    user: input.user,
    label: input.label,
    createdAt: input.now.toISOString(),
    createdBy: input.createdBy,
    revokedAt: null,
    revokedBy: null,
    hash: { salt: salt.toString('hex'), key: key.toString('hex'), N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p },
  };
  const keys = tokenKeys(prefix);
  await redis.multi().set(keys.token(id), JSON.stringify(record)).sadd(keys.all, id).exec();
  return { token: `rbk_${id}_${secret}`, record: publicView(record) };
}

export type TokenCheck = { ok: true; record: PublicTokenRecord } | { ok: false; reason: string };

/** Checks a presented token: well-formed, known, not revoked, and its secret matches the stored hash. */
export async function verifyToken(redis: Redis, prefix: string, token: string): Promise<TokenCheck> {
  const match = TOKEN_PATTERN.exec(token.trim());
  if (match === null) return { ok: false, reason: 'the token is not of the form rbk_<id>_<secret>' };
  const [, id = '', secret = ''] = match;
  const raw = await redis.get(tokenKeys(prefix).token(id));
  if (raw === null) return { ok: false, reason: `no token with id ${id}` };
  const record = JSON.parse(raw) as TokenRecord;
  if (record.revokedAt !== null) return { ok: false, reason: `token ${id} was revoked at ${record.revokedAt}` };
  const expected = Buffer.from(record.hash.key, 'hex');
  const actual = await deriveKey(secret, Buffer.from(record.hash.salt, 'hex'), { N: record.hash.N, r: record.hash.r, p: record.hash.p, keyLength: expected.length });
  if (!timingSafeEqual(expected, actual)) return { ok: false, reason: `the secret of token ${id} does not match` };
  return { ok: true, record: publicView(record) };
}

export async function listTokens(redis: Redis, prefix: string, user?: string): Promise<PublicTokenRecord[]> {
  const keys = tokenKeys(prefix);
  const ids = await redis.smembers(keys.all);
  const records: PublicTokenRecord[] = [];
  for (const id of ids) {
    const raw = await redis.get(keys.token(id));
    if (raw === null) continue;
    const record = JSON.parse(raw) as TokenRecord;
    if (user === undefined || record.user === user) records.push(publicView(record));
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export async function getTokenRecord(redis: Redis, prefix: string, id: string): Promise<PublicTokenRecord | undefined> {
  const raw = await redis.get(tokenKeys(prefix).token(id));
  return raw === null ? undefined : publicView(JSON.parse(raw) as TokenRecord);
}

/** Revokes a token; returns the record before revocation. Revoking twice is refused so the audit trail says who did it first. */
export async function revokeToken(redis: Redis, prefix: string, id: string, by: string, now: Date): Promise<PublicTokenRecord> {
  const key = tokenKeys(prefix).token(id);
  const raw = await redis.get(key);
  if (raw === null) throw new AppError('not-found', `no token with id ${JSON.stringify(id)}; list them with \`redback tokens list\``);
  const record = JSON.parse(raw) as TokenRecord;
  if (record.revokedAt !== null) throw new AppError('conflict', `token ${id} was already revoked at ${record.revokedAt} by ${record.revokedBy ?? 'unknown'}`);
  await redis.set(key, JSON.stringify({ ...record, revokedAt: now.toISOString(), revokedBy: by }));
  return publicView(record);
}

function publicView(record: TokenRecord): PublicTokenRecord {
  const { hash: _hash, ...rest } = record;
  return rest;
}
