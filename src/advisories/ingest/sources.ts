/**
 * `redback advisories ingest FILE|DIR|URL...`: each argument becomes one or more documents. A directory gives its
 * `*.json` files (not recursive, sorted by name); a URL is fetched once (a CSAF `provider-metadata.json` or ROLIE
 * feed is followed to its documents); a file is read with the size checked on disk first.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readAdvisoryFile } from '../read-file.js';
import { resolveLimits } from '../limits.js';
import { failure, type SourceItem } from './source-item.js';
import { expandFeed } from './rolie.js';
import { fetchDocument } from './fetch-document.js';
import type { AdvisoryServices } from '../services.js';

export type { SourceItem } from './source-item.js';

export async function* documentsOf(services: AdvisoryServices, argument: string): AsyncGenerator<SourceItem> {
  const maxBytes = resolveLimits(services.limits).maxBytes;
  if (/^https?:\/\//i.test(argument)) {
    try {
      const fetched = await fetchDocument(argument, { maxBytes });
      const documents = await expandFeed(argument, fetched.bytes, maxBytes);
      if (documents === undefined) yield { input: { source: argument, bytes: fetched.bytes, fileName: basename(new URL(argument).pathname) } };
      else yield* documents;
    } catch (error) {
      yield { failed: failure(argument, error) };
    }
    return;
  }
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(argument)).isDirectory();
  } catch (error) {
    yield { failed: failure(argument, error) };
    return;
  }
  const files = isDirectory ? (await readdir(argument)).filter((name) => name.endsWith('.json')).sort().map((name) => join(argument, name)) : [argument];
  for (const file of files) {
    try {
      yield { input: { source: file, bytes: await readAdvisoryFile(file, services.limits), fileName: basename(file) } };
    } catch (error) {
      yield { failed: failure(file, error) };
    }
  }
}

