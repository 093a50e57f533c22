import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A configuration directory for helpdesk tests: customer `acme` (Europe/Amsterdam, Mon-Fri 08:00-18:00,
 * holiday 2026-04-27, the example contract's SLA) with ten local hosts web-01..web-10; web-01 is critical.
 */
export const ACME_SLA_YAML = `
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }`;

export async function writeHelpdeskConfig(options: { prefix: string; notifiersYaml?: string; redisUrl?: string }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-helpdesk-'));
  await mkdir(join(dir, 'inventory'));
  const redis = options.redisUrl === undefined ? '' : `\n  url: ${options.redisUrl}`;
  await writeFile(join(dir, 'redback.yaml'), `redis:\n  prefix: ${options.prefix}${redis}\nnotifiers:${options.notifiersYaml ?? ' []'}\n`);
  const hosts = Array.from({ length: 10 }, (_, i) => {
    const id = `web-${String(i + 1).padStart(2, '0')}`;
    return `  - { id: ${id}, customer: acme, address: ${id}.acme.example, transport: local, os: debian, criticality: ${i === 0 ? 'critical' : 'medium'} }`;
  }).join('\n');
  await writeFile(
    join(dir, 'inventory', 'acme.yaml'),
    `customers:
  - id: acme
    name: Acme Logistics
    timezone: Europe/Amsterdam
    contacts: [{ name: Sanne, email: it-ops@acme.example }]
    contract:
      business_hours: { days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00" }
      holidays: ["2026-04-27"]
      sla:${ACME_SLA_YAML}
hosts:
${hosts}
`,
  );
  return dir;
}

export interface RunEventInput {
  type: 'run.failed' | 'run.succeeded' | 'run.deferred';
  hostId: string;
  failureClass?: string | null;
  at: string;
  occurrenceId?: string;
  batchId?: string;
  playbookId?: string;
}

/** An orchestration event as the orchestration appends it (one `event` field with JSON). */
export function runEvent(input: RunEventInput): Record<string, unknown> {
  const occurrenceId = input.occurrenceId ?? 'acme-monthly@20260414T200000Z';
  const batchId = input.batchId ?? `b-${occurrenceId.replace('@', '-')}`;
  return {
    type: input.type,
    batchId,
    occurrenceId,
    windowId: occurrenceId.split('@')[0],
    customerId: 'acme',
    hostId: input.hostId,
    playbookId: input.playbookId ?? 'debian-security-patch',
    failureClass: input.type === 'run.failed' ? (input.failureClass ?? 'step-failed') : null,
    runId: `${batchId}/${input.hostId}`,
    at: input.at,
  };
}
