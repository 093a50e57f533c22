import { customerSchema, hostSchema, type Customer, type Host } from './schemas/index.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Entries that failed validation, remembered by the ids and groups they tried to declare. Their own errors are
 * reported where they are; references to them from other files are not reported again as dangling.
 */
export interface BrokenEntries {
  customers: Set<string>;
  hosts: Set<string>;
  /** `customerId/group` of every group a broken host claimed. */
  groups: Set<string>;
  playbooks: Set<string>;
}

export function emptyBrokenEntries(): BrokenEntries {
  return { customers: new Set(), hosts: new Set(), groups: new Set(), playbooks: new Set() };
}

/** The valid customers and hosts of an inventory file that failed as a whole; the invalid ones go to `broken`. */
export function salvageInventory(source: YamlSource, broken: BrokenEntries): { customers: Customer[]; hosts: Host[] } {
  const data = (typeof source.data === 'object' && source.data !== null ? source.data : {}) as { customers?: unknown; hosts?: unknown };
  const customers: Customer[] = [];
  const hosts: Host[] = [];
  for (const raw of Array.isArray(data.customers) ? data.customers : []) {
    const result = customerSchema.safeParse(raw);
    if (result.success) customers.push(result.data);
    else if (typeof (raw as { id?: unknown })?.id === 'string') broken.customers.add((raw as { id: string }).id);
  }
  for (const raw of Array.isArray(data.hosts) ? data.hosts : []) {
    const result = hostSchema.safeParse(raw);
    if (result.success) {
      hosts.push(result.data);
      continue;
    }
    const entry = (raw ?? {}) as { id?: unknown; customer?: unknown; groups?: unknown };
    if (typeof entry.id === 'string') broken.hosts.add(entry.id);
    if (typeof entry.customer === 'string' && Array.isArray(entry.groups)) {
      for (const group of entry.groups) if (typeof group === 'string') broken.groups.add(`${entry.customer}/${group}`);
    }
  }
  return { customers, hosts };
}

/** A playbook file that failed: references to its id or kind are not reported again. */
export function noteBrokenPlaybook(source: YamlSource, broken: BrokenEntries): void {
  const data = (source.data ?? {}) as { id?: unknown; kind?: unknown };
  if (typeof data.id === 'string') broken.playbooks.add(data.id);
  if (typeof data.kind === 'string') broken.playbooks.add(data.kind);
}
