import type { Command } from 'commander';
import { findHost } from '../../../config/index.js';
import { AppError } from '../../../errors.js';
import type { HostInventory } from '../../../store/index.js';
import { withInventoryStore } from '../inventory-session.js';
import { loadConfigForCli } from '../load-config.js';

export function registerInventoryCommand(program: Command): void {
  const inventory = program.command('inventory').description("Hosts' inventories as their last scan found them (redback run scan --hosts ...)");

  inventory
    .command('show <host>')
    .description("A host's last scan: OS, kernel, boot time and the installed packages, with the time of the scan")
    .option('--config <dir>', 'configuration directory (default: $REDBACK_CONFIG, else the current directory)')
    .option('--json', 'print the stored inventory as JSON')
    .action(async (hostId: string, options: { config?: string; json?: boolean }) => {
      const config = await loadConfigForCli(options.config);
      const scan = await withInventoryStore(config, (store) => store.lastScan(hostId));
      if (scan === undefined) {
        const known = findHost(config, hostId) !== undefined;
        throw new AppError(
          'not-found',
          known
            ? `no scan stored for ${hostId}; run \`redback run scan --hosts ${hostId}\` first`
            : `unknown host ${JSON.stringify(hostId)} (not in the inventory and never scanned); known hosts: ${config.hosts.map((h) => h.id).join(', ')}`,
        );
      }
      process.stdout.write(options.json === true ? `${JSON.stringify(scan, null, 2)}\n` : renderInventory(scan));
    });
}

function renderInventory(scan: HostInventory): string {
  const os = [scan.os.name, scan.os.version].filter((part) => part !== null).join(' ') || '-';
  const lines = [
    `Host ${scan.hostId}, scanned ${scan.scannedAt}`,
    `  os        ${os}${scan.os.id === null ? '' : ` (${scan.os.id})`}`,
    `  kernel    ${scan.kernel ?? '-'}`,
    `  arch      ${scan.arch ?? '-'}`,
    `  booted    ${scan.bootTime ?? '-'}`,
    `  held      ${scan.held.length === 0 ? '-' : scan.held.join(', ')}`,
    `  packages  ${scan.packages.length}`,
    '',
  ];
  const header = ['NAME', 'VERSION', 'ARCH', 'SOURCE'];
  const rows = scan.packages.map((p) => [p.name, p.version, p.arch, p.source]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  if (rows.length > 0) lines.push(line(header), ...rows.map(line));
  return `${lines.join('\n')}\n`;
}
