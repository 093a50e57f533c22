import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A minimal valid configuration, as YAML text per file; tests override single files to break one thing. */
export const MINIMAL_CONFIG: Record<string, string> = {
  'redback.yaml': 'redis:\n  prefix: test\n',
  'inventory/acme.yaml': `customers:
  - id: acme
    name: Acme
    timezone: Europe/Amsterdam
    contract:
      business_hours: { days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00" }
      sla:
        1: { response: 15m, resolution: 4h }
        2: { response: 30m, resolution: 8h }
        3: { response: 2h, resolution: 3d }
        4: { response: 8h, resolution: 10d }
        5: { response: 2d, resolution: 30d }
hosts:
  - id: web-01
    customer: acme
    address: 10.0.0.1
    transport: ssh
    os: debian
    groups: [linux-prod]
    credentials: { user: deploy, private_key: file:keys/id }
    ssh: { host_key: "SHA256:3tqrmGTVOAbcjvOeC5Y9R1e8cDXMiJ0dQ2RZ4JYbxVE" }
`,
  'playbooks/debian-update.yaml': `id: debian-update
kind: update
os: debian
steps:
  - name: refresh
    run: apt-get update
`,
  'schedules/acme.yaml': `customer: acme
windows:
  - id: acme-weekly
    cron: "0 2 * * 0"
    duration: 3h
    targets: { groups: [linux-prod] }
    playbooks: [update]
`,
};

/** Writes a config directory in a fresh temp dir: the minimal config with `overrides` applied (null deletes a file). */
export async function writeConfigDir(overrides: Record<string, string | null> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-config-'));
  const files = { ...MINIMAL_CONFIG, ...overrides };
  for (const [name, text] of Object.entries(files)) {
    if (text === null) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}
