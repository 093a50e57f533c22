import type { FailureClass } from '../../domain/failure-class.js';
import { coerceError } from '../../errors.js';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

/** Classifies an error from ssh2's connect/handshake/auth into a failure class with a short reason. */
export function classifyConnectError(error: unknown, hostKeyRefused: string | undefined): { failureClass: FailureClass; reason: string } {
  if (hostKeyRefused !== undefined) return { failureClass: 'host-key', reason: hostKeyRefused };
  const e = coerceError(error) as Error & { level?: string; code?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (e.level === 'client-authentication') {
    return { failureClass: 'auth', reason: 'the server refused every offered credential (key, password or agent); check the user and the credentials reference' };
  }
  if (e.level === 'agent') return { failureClass: 'auth', reason: `the SSH agent failed: ${e.message}` };
  if (/Cannot parse privateKey|passphrase/i.test(e.message)) {
    return { failureClass: 'auth', reason: `the private key could not be used: ${e.message.replace(/\s+/g, ' ')}` };
  }
  if (e.level === 'client-timeout') return { failureClass: 'unreachable', reason: 'no SSH handshake within the connect timeout' };
  if (e.level === 'client-socket' || e.level === 'client-dns' || (code !== undefined && UNREACHABLE_CODES.has(code))) {
    return { failureClass: 'unreachable', reason: `cannot connect: ${code ?? e.message}` };
  }
  if (/Handshake failed|Connection lost|Not connected|No response from server|Keepalive timeout/i.test(e.message)) {
    return { failureClass: 'unreachable', reason: e.message };
  }
  return { failureClass: 'internal', reason: e.message };
}
