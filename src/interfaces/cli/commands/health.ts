import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkHeartbeat } from '../../../platform/heartbeat.js';

export const DEFAULT_HEARTBEAT_FILE = './var/run/redback.heartbeat.json';

export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .description('Exit 0 when the local `redback serve` is alive (its heartbeat is fresh), 1 otherwise; for container health checks')
    .option('--heartbeat <file>', 'heartbeat file written by redback serve', DEFAULT_HEARTBEAT_FILE)
    .option('--max-age <seconds>', 'how old the heartbeat may be', '60')
    .action(async (options: { heartbeat: string; maxAge: string }) => {
      const maxAgeSeconds = Number(options.maxAge);
      if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) {
        process.stderr.write(`redback health: --max-age expects a number of seconds greater than 0, given ${JSON.stringify(options.maxAge)}\n`);
        process.exitCode = 2;
        return;
      }
      const verdict = await checkHeartbeat(resolve(options.heartbeat), maxAgeSeconds * 1000);
      if (verdict.healthy) {
        process.stdout.write(`healthy: ${verdict.heartbeat.role} pid ${verdict.heartbeat.pid}, last heartbeat ${verdict.heartbeat.beatAt}\n`);
      } else {
        process.stdout.write(`unhealthy: ${verdict.reason}\n`);
        process.exitCode = 1;
      }
    });
}
