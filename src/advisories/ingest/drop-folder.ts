/**
 * A watched drop folder: every `*.json` file put there (write it under another name and rename it, so a half
 * written file is never taken) is ingested, then moved to `done/`, or to `refused/` beside a `<name>.reason.txt`
 * that lists every problem. The folder is scanned when it changes (fs.watch) and every `intervalMs` as a fallback
 * (fs.watch misses events on network file systems). Scans never overlap.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdvisoryServices } from '../services.js';
import { ingestDocument } from './ingest-document.js';
import type { IngestResult } from './result.js';
import { documentsOf } from './sources.js';

export interface DropFolder {
  /** Processes what is in the folder now; resolves when done. */
  scan(): Promise<IngestResult[]>;
  stop(): Promise<void>;
}

async function freeName(dir: string, name: string): Promise<string> {
  const taken = async (candidate: string) => stat(join(dir, candidate)).then(() => true, () => false);
  if (!(await taken(name))) return name;
  for (let n = 1; ; n += 1) if (!(await taken(`${name}.${n}`))) return `${name}.${n}`;
}

export function watchDropFolder(services: AdvisoryServices, dir: string, options: { actor: string; intervalMs?: number; onResult?: (result: IngestResult) => void }): DropFolder {
  let running: Promise<IngestResult[]> | undefined;
  let again = false;
  let stopped = false;

  const scanOnce = async (): Promise<IngestResult[]> => {
    await mkdir(join(dir, 'done'), { recursive: true });
    await mkdir(join(dir, 'refused'), { recursive: true });
    const results: IngestResult[] = [];
    const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name).sort();
    for (const name of names) {
      if (stopped) break;
      const path = join(dir, name);
      let result: IngestResult | undefined;
      for await (const item of documentsOf(services, path)) {
        result = 'failed' in item ? item.failed : await ingestDocument(services, item.input, { actor: options.actor });
      }
      if (result === undefined) continue;
      const target = result.status === 'refused' ? 'refused' : 'done';
      const moved = await freeName(join(dir, target), name);
      await rename(path, join(dir, target, moved));
      if (result.status === 'refused') {
        const lines = result.errors.map((e) => `${e.test === null ? '' : `[${e.test}] `}${e.path}: ${e.message}`);
        await writeFile(join(dir, target, `${moved}.reason.txt`), `refused ${name}:\n${lines.join('\n')}\n`);
      }
      options.onResult?.(result);
      results.push(result);
    }
    return results;
  };

  const scan = async (): Promise<IngestResult[]> => {
    if (running !== undefined) {
      again = true;
      return await running;
    }
    running = (async () => {
      const all: IngestResult[] = [];
      do {
        again = false;
        all.push(...(await scanOnce()));
      } while (again && !stopped);
      return all;
    })().finally(() => {
      running = undefined;
    });
    return await running;
  };

  const logFailure = (error: unknown) => services.context.logger.error({ err: error, dir }, 'drop folder scan failed');
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => void scan().catch(logFailure));
  } catch (error) {
    services.context.logger.warn({ err: error, dir }, 'cannot watch the drop folder; polling only');
  }
  const timer = setInterval(() => void scan().catch(logFailure), options.intervalMs ?? 30_000);
  return {
    scan,
    async stop() {
      stopped = true;
      clearInterval(timer);
      watcher?.close();
      await running?.catch(() => undefined);
    },
  };
}
