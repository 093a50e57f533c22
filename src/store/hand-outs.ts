import type { Redis } from 'ioredis';
import { storeKeys } from './keys.js';

/**
 * Open hand-outs of a batch. Handing hosts out is two steps: `queueHostRuns` moves them `pending → queued` and
 * records the hand-out as open, then the dispatcher adds their jobs to BullMQ and closes it. A hand-out still open
 * when no dispatcher holds the batch's dispatch lock is one whose dispatcher died, or whose `addBulk` failed, in
 * between: only its hosts can be queued without a job (releases/orphaned-hosts.ts). Keeping them makes that check
 * cost nothing for a batch whose hand-outs all completed, however many hosts it has.
 */
export interface OpenHandOut {
  /** As stored: `from-to`. */
  id: string;
  /** Positions in the batch's planned host list (`hostIds`), `to` excluded. */
  from: number;
  to: number;
}

export async function openHandOuts(redis: Redis, prefix: string, batchId: string): Promise<OpenHandOut[]> {
  const members = await redis.smembers(storeKeys(prefix).batchOpenHandOuts(batchId));
  return members.flatMap((id) => {
    const match = /^(\d+)-(\d+)$/.exec(id);
    return match === null ? [] : [{ id, from: Number(match[1]), to: Number(match[2]) }];
  });
}

/** Marks a hand-out complete: every host it queued has its job in BullMQ. Closing one twice is harmless. */
export async function closeHandOut(redis: Redis, prefix: string, batchId: string, handOutId: string): Promise<void> {
  await redis.srem(storeKeys(prefix).batchOpenHandOuts(batchId), handOutId);
}
