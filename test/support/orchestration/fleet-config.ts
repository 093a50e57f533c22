import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A configuration directory for orchestration tests: one customer, `hosts` local hosts in group `fleet`
 * (h-01, h-02, …), one window over the fleet naming the playbook kind `custom`: debian hosts run the given
 * steps, rhel hosts (the failing ones) run a step that exits 1.
 */
export interface FleetOptions {
  prefix: string;
  hosts: number;
  /** YAML list items under `steps:` of the `fleet-check` playbook. Default one `echo ok`. */
  stepsYaml?: string;
  cron?: string;
  duration?: string;
  cutoff?: string;
  leadTime?: string;
  approval?: 'auto' | 'required';
  rolloutYaml?: string;
  /** 1-based host numbers that fail: they are `rhel` hosts, and the rhel playbook's only step exits 1. */
  failingHosts?: readonly number[];
  /** Written as `redis.url` in redback.yaml. */
  redisUrl?: string;
  /** `policies.missed_window_lookback` in redback.yaml; unset: the default. */
  missedWindowLookback?: string;
}

export function fleetHostId(index: number): string {
  return `h-${String(index).padStart(2, '0')}`;
}

export async function writeFleetConfig(options: FleetOptions): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-fleet-'));
  const failing = new Set(options.failingHosts ?? []);
  const hosts = Array.from({ length: options.hosts }, (_, i) => `  - { id: ${fleetHostId(i + 1)}, customer: acme, address: localhost, transport: local, os: ${failing.has(i + 1) ? 'rhel' : 'debian'}, groups: [fleet] }`).join('\n');
  const files: Record<string, string> = {
    'redback.yaml': `redis:\n  prefix: ${options.prefix}\n${options.redisUrl === undefined ? '' : `  url: ${options.redisUrl}\n`}policies:\n  planner_lead_time: 1m\n${options.missedWindowLookback === undefined ? '' : `  missed_window_lookback: ${options.missedWindowLookback}\n`}`,
    'inventory/fleet.yaml': `customers:
  - id: acme
    name: Acme
    timezone: UTC
    contract:
      business_hours: 24x7
      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
hosts:
${hosts}
`,
    'playbooks/fleet-check.yaml': `id: fleet-check
kind: custom
os: debian
steps:
${options.stepsYaml ?? '  - { name: hello, run: echo ok }'}
`,
    'playbooks/fleet-check-rhel.yaml': `id: fleet-check-rhel
kind: custom
os: rhel
steps:
  - { name: fail on purpose, run: exit 1 }
`,
    'schedules/fleet.yaml': `customer: acme
timezone: UTC
windows:
  - id: fleet
    cron: "${options.cron ?? '0 3 1 1 *'}"
    duration: ${options.duration ?? '1h'}
    cutoff: ${options.cutoff ?? '0s'}
    lead_time: ${options.leadTime ?? '1m'}
    targets: { groups: [fleet] }
    playbooks: [custom]
    approval: ${options.approval ?? 'auto'}
${options.rolloutYaml === undefined ? '' : `    rollout: ${options.rolloutYaml}\n`}`,
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
