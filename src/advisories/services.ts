/**
 * What ingestion, matching and the preventive actions work with: the orchestration context (config, Redis, clock,
 * audit, queue) and the advisory and host-inventory stores on the same Redis.
 */
import type { OrchestrationContext } from '../releases/index.js';
import { createAdvisoryStore, createHostInventoryStore, type AdvisoryStore, type HostInventoryStore } from '../store/index.js';
import type { DocumentLimits } from './limits.js';

export interface AdvisoryServices {
  context: OrchestrationContext;
  store: AdvisoryStore;
  inventory: HostInventoryStore;
  limits?: Partial<DocumentLimits>;
}

export function advisoryServices(context: OrchestrationContext, limits?: Partial<DocumentLimits>): AdvisoryServices {
  return {
    context,
    store: createAdvisoryStore(context.redis, context.prefix),
    inventory: createHostInventoryStore(context.redis, context.prefix),
    ...(limits === undefined ? {} : { limits }),
  };
}

/** Who the advisories pipeline acts as when no person does (feed polling, the drop folder). */
export const ADVISORIES_ACTOR = 'system:advisories';
