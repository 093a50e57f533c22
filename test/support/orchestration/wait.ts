import { isFinalBatchStatus } from '../../../src/domain/index.js';
import type { OrchestrationContext } from '../../../src/releases/index.js';
import { getBatch, type BatchRecord } from '../../../src/store/index.js';

/** Polls until `check` returns a value other than undefined; fails with `what` (a function: read at failure time) after `timeoutMs`. */
export async function waitFor<T>(what: string | (() => string), check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Polls until the batch has a final status and returns it; fails after `timeoutMs`. */
export async function waitForFinalBatch(context: Pick<OrchestrationContext, 'redis' | 'prefix'>, batchId: string, timeoutMs = 20_000): Promise<BatchRecord> {
  return await waitFor(`batch ${batchId} to finish`, async () => {
    const batch = await getBatch(context.redis, context.prefix, batchId);
    return batch !== undefined && isFinalBatchStatus(batch.status) ? batch : undefined;
  }, timeoutMs);
}
