/**
 * Fetches an advisory or feed over HTTP(S) with a size cap that holds while streaming (a missing or lying
 * Content-Length cannot make us buffer more than the limit), and conditional requests: the caller passes the
 * ETag and Last-Modified it saw, and a 304 comes back as `notModified`.
 */
import { AdvisoryRefusedError } from '../problems.js';

export interface FetchedDocument {
  status: number;
  notModified: boolean;
  bytes: Uint8Array;
  etag: string | null;
  lastModified: string | null;
}

export async function fetchDocument(url: string, options: { maxBytes: number; etag?: string | null; lastModified?: string | null; timeoutMs?: number }): Promise<FetchedDocument> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AdvisoryRefusedError(url, [{ path: '$', message: `only http and https URLs are fetched, given ${parsed.protocol}` }]);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const response = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
  const meta = { status: response.status, etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') };
  if (response.status === 304) return { ...meta, notModified: true, bytes: new Uint8Array() };
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new AdvisoryRefusedError(url, [{ path: '$', message: `the document is ${declared} bytes, more than the limit of ${options.maxBytes} bytes` }]);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > options.maxBytes) {
        await response.body.cancel().catch(() => undefined);
        throw new AdvisoryRefusedError(url, [{ path: '$', message: `the document is more than the limit of ${options.maxBytes} bytes` }]);
      }
      chunks.push(chunk);
    }
  }
  return { ...meta, notModified: false, bytes: Buffer.concat(chunks) };
}
