/**
 * Where an urgent advisory's patch goes, per customer (pure). The due time is the detection time plus the
 * contract's emergency term for the advisory's severity (`emergency_patch: { critical: 72h }`). Each exposed host
 * goes into its next maintenance occurrence when that occurrence ends by the due time; otherwise into an
 * emergency window from now to the due time, which needs a second engineer's approval. Hosts are grouped so that
 * every group gets exactly the packages it is exposed on. A host that no window targets cannot be dispatched by
 * the orchestrator and is reported as unplannable (patch it by hand).
 */
import { createHash } from 'node:crypto';
import { findCustomer, findWindow, type ResolvedConfig } from '../../config/index.js';
import { nextOccurrenceForHost, windowsForHost } from '../../scheduling/index.js';
import type { RolloutRules } from '../../domain/rollout.js';
import type { ExposureEntry } from '../../store/index.js';
import type { Severity } from '../urgency.js';

export interface PreventiveGroup {
  batchId: string;
  emergency: boolean;
  /** The window whose hosts, parameters and rollout rules the batch borrows (the dispatcher checks its targets). */
  windowId: string;
  hostIds: string[];
  packages: string[];
  windowStart: string;
  windowEnd: string;
  cutoffAt: string;
  approval: 'auto' | 'required';
  params: Record<string, unknown>;
  rollout: RolloutRules;
}

export interface PreventivePlan {
  dueAt: string | null;
  groups: PreventiveGroup[];
  /** Hosts no window targets: nothing can be dispatched to them. */
  unplannable: string[];
}

/** Default emergency term when the contract names none for the severity. */
export const DEFAULT_EMERGENCY_TERM_MS = 72 * 3_600_000;
const MAX_EMERGENCY_CUTOFF_MS = 3_600_000;

/** An instant as it appears in batch ids: `20300105T100000Z`. */
export const basicInstant = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const basic = basicInstant;

/** An emergency window's cutoff: one hour before its end, or a tenth of the span if that is shorter. */
export function emergencyCutoffMs(startMs: number, endMs: number): number {
  return endMs - Math.min(MAX_EMERGENCY_CUTOFF_MS, Math.floor((endMs - startMs) / 10));
}
const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 6);

export function emergencyTermMs(config: ResolvedConfig, customerId: string, severity: Severity | null): number {
  const terms = findCustomer(config, customerId)?.contract.emergencyPatchMs ?? {};
  return (severity === null ? undefined : terms[severity]) ?? DEFAULT_EMERGENCY_TERM_MS;
}

export function planPreventive(config: ResolvedConfig, input: { advisoryId: string; customerId: string; severity: Severity | null; entries: readonly ExposureEntry[]; nowMs: number }): PreventivePlan {
  const dueMs = input.nowMs + emergencyTermMs(config, input.customerId, input.severity);
  const packagesOf = new Map<string, Set<string>>();
  for (const entry of input.entries) packagesOf.set(entry.hostId, (packagesOf.get(entry.hostId) ?? new Set()).add(entry.packageName));

  const groups = new Map<string, PreventiveGroup>();
  const unplannable: string[] = [];
  for (const [hostId, packageSet] of [...packagesOf].sort(([a], [b]) => a.localeCompare(b))) {
    const packages = [...packageSet].sort();
    let next;
    try {
      next = nextOccurrenceForHost(config, hostId, input.nowMs);
    } catch {
      unplannable.push(hostId); // no longer in the inventory
      continue;
    }
    const windowId = next?.windowId ?? windowsForHost(config, hostId)[0]?.id;
    const window = windowId === undefined ? undefined : findWindow(config, windowId);
    if (window === undefined) {
      unplannable.push(hostId);
      continue;
    }
    const inTime = next !== undefined && next.endMs <= dueMs;
    const slot = inTime
      ? { start: next!.startMs, end: next!.endMs, cutoff: next!.cutoffMs, base: next!.id }
      : { start: input.nowMs, end: dueMs, cutoff: emergencyCutoffMs(input.nowMs, dueMs), base: `emergency-${window.id}` };
    const key = `${slot.base}\u0000${packages.join(',')}`;
    const existing = groups.get(key);
    if (existing !== undefined) {
      existing.hostIds.push(hostId);
      continue;
    }
    groups.set(key, {
      batchId: '',
      emergency: !inTime,
      windowId: window.id,
      hostIds: [hostId],
      packages,
      windowStart: new Date(slot.start).toISOString(),
      windowEnd: new Date(slot.end).toISOString(),
      cutoffAt: new Date(slot.cutoff).toISOString(),
      approval: inTime ? window.approval : 'required',
      params: { ...window.params, packages: packages.map((name) => ({ name })) },
      rollout: {
        maxConcurrency: window.rollout?.maxConcurrency,
        maxErrors: window.rollout?.maxErrors,
        serial: window.rollout?.serial,
        customerConcurrency: window.rollout?.customerConcurrency,
      },
    });
  }
  for (const group of groups.values()) {
    const base = group.emergency ? `emergency-${input.customerId}@${basic(Date.parse(group.windowStart))}` : `${group.windowId}@${basic(Date.parse(group.windowStart))}`;
    group.batchId = `${base}+${input.advisoryId}-${shortHash(`${group.hostIds.join(',')}|${group.packages.join(',')}`)}`;
  }
  return { dueAt: new Date(dueMs).toISOString(), groups: [...groups.values()], unplannable };
}
