import type { ConfigIssue } from '../errors.js';
import type { Customer, Host, Playbook, RedbackSettings, ScheduleFileInput, WindowInput } from './schemas/index.js';

/** A maintenance window with the context it needs on its own: its customer, zone and file. */
export interface MaintenanceWindow extends WindowInput {
  customerId: string;
  timezone: string;
  file: string;
}

export interface Schedule {
  file: string;
  customerId: string;
  timezone: string;
  windows: readonly MaintenanceWindow[];
  blackouts: ScheduleFileInput['blackouts'];
  baselines: ScheduleFileInput['baselines'];
}

export interface PlaybookEntry extends Playbook {
  file: string;
}

/** The whole configuration, validated and frozen; loaded once per process. */
export interface ResolvedConfig {
  /** Absolute path of the configuration directory. */
  dir: string;
  settings: RedbackSettings & { redis: RedbackSettings['redis'] & { urlSource: 'env' | 'file' | 'none' } };
  customers: readonly Customer[];
  hosts: readonly Host[];
  schedules: readonly Schedule[];
  windows: readonly MaintenanceWindow[];
  playbooks: readonly PlaybookEntry[];
  /** Which file each customer, host, window and playbook came from, by `kind/id`. */
  sources: Readonly<Record<string, string>>;
  warnings: readonly ConfigIssue[];
}

export function findCustomer(config: ResolvedConfig, id: string): Customer | undefined {
  return config.customers.find((c) => c.id === id);
}

export function findHost(config: ResolvedConfig, id: string): Host | undefined {
  return config.hosts.find((h) => h.id === id);
}

export function findWindow(config: ResolvedConfig, id: string): MaintenanceWindow | undefined {
  return config.windows.find((w) => w.id === id);
}

/** The hosts a window targets: its listed hosts and the members of its groups, of its own customer, in inventory order. */
export function hostsOfWindow(config: ResolvedConfig, window: MaintenanceWindow): Host[] {
  const groups = new Set(window.targets.groups);
  const ids = new Set(window.targets.hosts);
  return config.hosts.filter((h) => h.customerId === window.customerId && (ids.has(h.id) || h.groups.some((g) => groups.has(g))));
}

/** The hosts of a group (any customer). */
export function hostsOfGroup(config: ResolvedConfig, group: string): Host[] {
  return config.hosts.filter((h) => h.groups.includes(group));
}

/**
 * A window names playbooks by id (`debian-security-patch`) or by kind (`security-patch`); a kind resolves to
 * the playbook of that kind for the host's OS family.
 */
export function resolvePlaybook(config: ResolvedConfig, reference: string, os: Host['os']): PlaybookEntry | undefined {
  const byId = config.playbooks.find((p) => p.id === reference);
  if (byId !== undefined) return byId.os === os ? byId : undefined;
  return config.playbooks.find((p) => p.kind === reference && p.os === os);
}
