import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/orchestration/wait.js';
import { portAccepts } from '../../support/port-accepts.js';

/** The first match of `pattern` in the output once it appears. */
function outputMatching(read: () => string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return waitFor(() => `${what}; output so far: ${read()}`, async () => pattern.exec(read()) ?? undefined, 15_000, 20);
}

describe('an embedded redis-server in its own process group (a real redis-server)', () => {
  it('is not reached by a Ctrl-C to its parent\'s process group, and is stopped when the parent exits without stopping it', async () => {
    // The parent leads its own group, as a shell makes a foreground command lead one.
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/support/redis-in-own-group.ts'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => parent.once('exit', (code) => done(code)));
    let port: number | undefined;
    try {
      port = Number((await outputMatching(() => output, /port (\d+)/, 'the server\'s port'))[1]);
      expect(await portAccepts(port)).toBe(true);

      process.kill(-parent.pid!, 'SIGINT'); // what the terminal sends on Ctrl-C: every process of the group
      await outputMatching(() => output, /SIGINT handled/, 'the parent to see the SIGINT');
      // A redis-server in the parent's group would be shutting down now (it stops within milliseconds of SIGINT).
      for (let check = 0; check < 10; check++) {
        expect(await portAccepts(port), 'the server still accepts connections after the Ctrl-C').toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      parent.kill('SIGTERM'); // the parent exits at once, without stopping the server
      expect(await exited).toBe(0);
      const serverPort = port;
      await waitFor('the server to go with its parent', async () => ((await portAccepts(serverPort)) ? undefined : true), 10_000, 50);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      // A failed check may leave the server behind: it runs outside this process's group.
      if (port !== undefined) spawnSync('pkill', ['-f', `redis-server 127.0.0.1:${port}$`]);
    }
  });
});
