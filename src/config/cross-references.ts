import type { ConfigIssue } from '../errors.js';
import { resolvePlaybook, type ResolvedConfig } from './resolved.js';
import type { YamlSource } from './yaml-source.js';
import { formatPath } from './issues.js';
import { emptyBrokenEntries, type BrokenEntries } from './salvage.js';

interface Positions {
  inventoryPositions: Map<string, { source: YamlSource; path: PropertyKey[] }>;
  playbookPositions: Map<string, YamlSource>;
  schedulePositions: Map<string, YamlSource>;
}

/**
 * References between files: a host's customer, a jump host, a window's groups, hosts and playbooks, a
 * notifier's customers. Each dangling reference is one issue at the place that names it.
 */
export function checkCrossReferences(config: ResolvedConfig, positions: Positions, broken: BrokenEntries = emptyBrokenEntries()): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const customerIds = new Set(config.customers.map((c) => c.id));
  const hostsById = new Map(config.hosts.map((h) => [h.id, h]));

  for (const host of config.hosts) {
    const at = positions.inventoryPositions.get(`host/${host.id}`);
    if (at === undefined) continue;
    const issue = (key: PropertyKey[], message: string): void => {
      const path = [...at.path, ...key];
      issues.push({ file: at.source.file, line: at.source.lineOf(path), path: formatPath(path), message, severity: 'error' });
    };
    if (!customerIds.has(host.customerId) && !broken.customers.has(host.customerId)) {
      issue(['customer'], `expected the id of a customer defined in inventory/ (${[...customerIds].join(', ') || 'none defined'}), given ${JSON.stringify(host.customerId)}`);
    }
    const jump = host.ssh?.jumpHost;
    if (jump !== undefined) {
      const jumpHost = hostsById.get(jump);
      if (jumpHost === undefined) {
        if (!broken.hosts.has(jump)) issue(['ssh', 'jump_host'], `expected the id of an inventory host, given ${JSON.stringify(jump)}`);
      } else if (jumpHost.transport !== 'ssh') issue(['ssh', 'jump_host'], `expected an ssh host as jump host, given ${jump} (transport ${jumpHost.transport})`);
      else if (jump === host.id) issue(['ssh', 'jump_host'], 'a host cannot be its own jump host');
    }
  }

  for (const schedule of config.schedules) {
    const source = positions.schedulePositions.get(schedule.file);
    if (source === undefined) continue;
    schedule.windows.forEach((window) => {
      const index = findIndex(source, window.id);
      const issue = (key: PropertyKey[], message: string): void => {
        const path = ['windows', index, ...key];
        issues.push({ file: source.file, line: source.lineOf(path), path: formatPath(path), message, severity: 'error' });
      };
      const customerHosts = config.hosts.filter((h) => h.customerId === window.customerId);
      const customerGroups = new Set(customerHosts.flatMap((h) => h.groups));
      window.targets.groups.forEach((group, i) => {
        if (!customerGroups.has(group) && !broken.groups.has(`${window.customerId}/${group}`)) {
          issue(['targets', 'groups', i], `expected a group with hosts of customer ${window.customerId} (${[...customerGroups].sort().join(', ') || 'none'}), given ${JSON.stringify(group)}`);
        }
      });
      window.targets.hosts.forEach((hostId, i) => {
        const host = hostsById.get(hostId);
        if (host === undefined) {
          if (!broken.hosts.has(hostId)) issue(['targets', 'hosts', i], `expected the id of an inventory host, given ${JSON.stringify(hostId)}`);
        } else if (host.customerId !== window.customerId) {
          issue(['targets', 'hosts', i], `host ${hostId} belongs to customer ${host.customerId}, not to ${window.customerId}, whose schedule this is`);
        }
      });
      const groups = new Set(window.targets.groups);
      const targeted = customerHosts.filter((h) => window.targets.hosts.includes(h.id) || h.groups.some((g) => groups.has(g)));
      window.playbooks.forEach((reference, i) => {
        const known = config.playbooks.some((p) => p.id === reference || p.kind === reference);
        if (!known) {
          if (broken.playbooks.has(reference)) return;
          issue(['playbooks', i], `expected a playbook id or kind from playbooks/ (${config.playbooks.map((p) => p.id).join(', ') || 'none defined'}), given ${JSON.stringify(reference)}`);
          return;
        }
        const missing = [...new Set(targeted.filter((h) => resolvePlaybook(config, reference, h.os) === undefined).map((h) => h.os))];
        if (missing.length > 0) {
          issue(['playbooks', i], `playbook ${JSON.stringify(reference)} has no version for OS ${missing.join(', ')} of the targeted hosts; add one to playbooks/ or narrow the targets`);
        }
      });
    });
  }

  config.settings.notifiers.forEach((notifier, index) => {
    (notifier.customers ?? []).forEach((customerId, i) => {
      if (!customerIds.has(customerId)) {
        issues.push({ file: 'redback.yaml', path: `notifiers[${index}].customers[${i}]`, message: `expected the id of an inventory customer, given ${JSON.stringify(customerId)}`, severity: 'error' });
      }
    });
  });
  return issues;
}

function findIndex(source: YamlSource, windowId: string): number {
  const windows = (source.data as { windows?: Array<{ id?: unknown }> }).windows ?? [];
  return Math.max(0, windows.findIndex((w) => w.id === windowId));
}
