/**
 * A parent of an embedded redis-server for `redis-server-process.test.ts`: starts one in its own process group,
 * prints its port, handles SIGINT itself (as `redback serve` does: it stops the server last), and on SIGTERM exits at
 * once without stopping it, as a forced exit does.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '../../src/platform/redis-server-process.js';

const server = await startRedisServer({ dataDir: await mkdtemp(join(tmpdir(), 'redback-own-group-')), appendOnly: false, ownProcessGroup: true });
process.on('SIGINT', () => console.log('SIGINT handled'));
process.on('SIGTERM', () => process.exit(0));
console.log(`port ${server.port}`);
setInterval(() => undefined, 60_000);
