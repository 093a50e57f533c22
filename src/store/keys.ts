/**
 * Every Redis key of the orchestration records, in one place, under the configured prefix. Ids never contain
 * `:` (DESIGN.md), so a key splits unambiguously.
 */
export interface StoreKeys {
  batch(id: string): string;
  batchHosts(id: string): string;
  batchNotes(id: string): string;
  batchInFlight(id: string): string;
  batchOutcome(id: string, outcome: 'succeeded' | 'failed' | 'not-run'): string;
  batchDispatchLock(id: string): string;
  /** Hand-outs begun and not yet known to have reached BullMQ: members `from-to`, positions in the plan's host list. */
  batchOpenHandOuts(id: string): string;
  batchesByTime: string;
  openBatches: string;
  customerInFlight(customerId: string): string;
  run(id: string): string;
  runLog(id: string): string;
  runsByTime: string;
  runsByBatch(batchId: string): string;
  runsByHost(hostId: string): string;
  runsByCustomer(customerId: string): string;
  runsByStatus(status: string): string;
  hostLock(hostId: string): string;
  events: string;
  plannerLock: string;
  /** The instant up to which the planner has looked for occurrences (UTC ISO 8601); see store/planner-progress.ts. */
  plannerCheckedUntil: string;
}

// Built once per prefix: the keys are asked for several times in every host run.
const byPrefix = new Map<string, StoreKeys>();

export function storeKeys(prefix: string): StoreKeys {
  let keys = byPrefix.get(prefix);
  if (keys === undefined) {
    keys = buildKeys(prefix);
    if (byPrefix.size >= 1000) byPrefix.clear(); // tests use a fresh prefix each; keep the map bounded
    byPrefix.set(prefix, keys);
  }
  return keys;
}

function buildKeys(prefix: string): StoreKeys {
  return {
    batch: (id) => `${prefix}:batch:${id}`,
    batchHosts: (id) => `${prefix}:batch:${id}:hosts`,
    batchNotes: (id) => `${prefix}:batch:${id}:notes`,
    batchInFlight: (id) => `${prefix}:batch:${id}:in-flight`,
    batchOutcome: (id, outcome) => `${prefix}:batch:${id}:${outcome}`,
    batchDispatchLock: (id) => `${prefix}:lock:dispatch:${id}`,
    batchOpenHandOuts: (id) => `${prefix}:batch:${id}:open-hand-outs`,
    batchesByTime: `${prefix}:batches`,
    openBatches: `${prefix}:batches:open`,
    customerInFlight: (customerId) => `${prefix}:customer:${customerId}:in-flight`,
    run: (id) => `${prefix}:run:${id}`,
    runLog: (id) => `${prefix}:run:${id}:log`,
    runsByTime: `${prefix}:runs`,
    runsByBatch: (batchId) => `${prefix}:runs:batch:${batchId}`,
    runsByHost: (hostId) => `${prefix}:runs:host:${hostId}`,
    runsByCustomer: (customerId) => `${prefix}:runs:customer:${customerId}`,
    runsByStatus: (status) => `${prefix}:runs:status:${status}`,
    hostLock: (hostId) => `${prefix}:lock:host:${hostId}`,
    events: `${prefix}:events`,
    plannerLock: `${prefix}:lock:planner`,
    plannerCheckedUntil: `${prefix}:planner:checked-until`,
  };
}
