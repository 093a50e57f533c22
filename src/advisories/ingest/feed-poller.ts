/**
 * Feed URLs polled on a schedule (node-cron). Each poll sends the ETag and Last-Modified of the previous answer
 * (kept in Redis, so a restart or another replica does not fetch everything again); a 304 costs nothing. A feed
 * that is a CSAF provider-metadata.json or ROLIE feed is followed to its documents; anything else is one document.
 * Ingesting is idempotent (the revision decision), so two replicas polling the same feed do no harm.
 */
import cron from 'node-cron';
import { resolveLimits } from '../limits.js';
import type { AdvisoryServices } from '../services.js';
import { fetchDocument } from './fetch-document.js';
import { ingestDocument } from './ingest-document.js';
import type { IngestResult } from './result.js';
import { expandFeed } from './rolie.js';
import { failure } from './source-item.js';

export interface FeedPoll {
  url: string;
  notModified: boolean;
  results: IngestResult[];
}

const stateKey = (prefix: string) => `${prefix}:advisory-feeds`;

export async function pollFeed(services: AdvisoryServices, url: string, actor: string): Promise<FeedPoll> {
  const { redis, prefix } = services.context;
  const raw = await redis.hget(stateKey(prefix), url);
  const state = raw === null ? {} : (JSON.parse(raw) as { etag?: string | null; lastModified?: string | null });
  const maxBytes = resolveLimits(services.limits).maxBytes;
  let fetched;
  try {
    fetched = await fetchDocument(url, { maxBytes, etag: state.etag ?? null, lastModified: state.lastModified ?? null });
  } catch (error) {
    return { url, notModified: false, results: [failure(url, error)] };
  }
  if (fetched.notModified) return { url, notModified: true, results: [] };
  const results: IngestResult[] = [];
  const documents = await expandFeed(url, fetched.bytes, maxBytes);
  if (documents === undefined) {
    results.push(await ingestDocument(services, { source: url, bytes: fetched.bytes, fileName: new URL(url).pathname.split('/').pop() ?? '' }, { actor }));
  } else {
    for await (const item of documents) results.push('failed' in item ? item.failed : await ingestDocument(services, item.input, { actor }));
  }
  await redis.hset(stateKey(prefix), url, JSON.stringify({ etag: fetched.etag, lastModified: fetched.lastModified, polledAt: services.context.clock.now().toISOString() }));
  return { url, notModified: false, results };
}

export function startFeedPolling(services: AdvisoryServices, urls: readonly string[], options: { actor: string; cron?: string; onPoll?: (poll: FeedPoll) => void }): { stop(): Promise<void> } {
  const poll = async (): Promise<void> => {
    for (const url of urls) {
      try {
        options.onPoll?.(await pollFeed(services, url, options.actor));
      } catch (error) {
        services.context.logger.error({ err: error, url }, 'advisory feed poll failed');
      }
    }
  };
  const task = cron.schedule(options.cron ?? '*/15 * * * *', poll, { name: 'advisory-feeds', noOverlap: true });
  void poll();
  return {
    async stop() {
      await task.stop();
      await task.destroy();
    },
  };
}
