/**
 * CSAF distribution (CSAF 2.0 §7.1): a trusted provider publishes `provider-metadata.json`, whose
 * `distributions[].rolie.feeds[].url` name ROLIE feeds (Atom in JSON), whose `feed.entry[].content.src` (or the
 * `link` with rel `self`) name the documents. `expandFeed` recognises either file and fetches what it names.
 */
import type { IngestInput } from './ingest-document.js';
import { fetchDocument } from './fetch-document.js';
import { failure, type SourceItem } from './source-item.js';

interface ProviderMetadata {
  distributions?: Array<{ rolie?: { feeds?: Array<{ url?: string }> } }>;
}
interface RolieFeed {
  feed?: { entry?: Array<{ content?: { src?: string }; link?: Array<{ rel?: string; href?: string }> }> };
}

function json(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function rolieDocumentUrls(feed: RolieFeed, base: string): string[] {
  return (feed.feed?.entry ?? []).flatMap((entry) => {
    const href = entry.content?.src ?? entry.link?.find((l) => l.rel === 'self')?.href;
    return href === undefined ? [] : [new URL(href, base).toString()];
  });
}

/** Undefined when the bytes are neither provider metadata nor a ROLIE feed (then they are a document). */
export async function expandFeed(url: string, bytes: Uint8Array, maxBytes: number): Promise<AsyncGenerator<SourceItem> | undefined> {
  const value = json(bytes) as (ProviderMetadata & RolieFeed & { canonical_url?: string }) | undefined;
  if (value === undefined || typeof value !== 'object' || value === null) return undefined;
  let feeds: Array<{ url: string; body?: RolieFeed }>;
  if (Array.isArray(value.distributions) && typeof value.canonical_url === 'string') {
    feeds = value.distributions.flatMap((d) => (d.rolie?.feeds ?? []).flatMap((f) => (typeof f.url === 'string' ? [{ url: new URL(f.url, url).toString() }] : [])));
  } else if (value.feed !== undefined && Array.isArray(value.feed.entry)) {
    feeds = [{ url, body: value }];
  } else {
    return undefined;
  }
  return (async function* (): AsyncGenerator<SourceItem> {
    for (const feed of feeds) {
      let body = feed.body;
      if (body === undefined) {
        try {
          body = json((await fetchDocument(feed.url, { maxBytes })).bytes) as RolieFeed;
        } catch (error) {
          yield { failed: failure(feed.url, error) };
          continue;
        }
      }
      for (const documentUrl of rolieDocumentUrls(body, feed.url)) {
        try {
          const input: IngestInput = { source: documentUrl, bytes: (await fetchDocument(documentUrl, { maxBytes })).bytes, fileName: new URL(documentUrl).pathname.split('/').pop() ?? '' };
          yield { input };
        } catch (error) {
          yield { failed: failure(documentUrl, error) };
        }
      }
    }
  })();
}
