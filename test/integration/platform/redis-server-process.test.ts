import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.end(), done(true)));
    socket.once('error', () => done(false));
  });
}

async function waitForOutput(read: () => string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = pattern.exec(read());
    if (match !== null) return match;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far: ${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('an embedded redis-server in its own process group (a real redis-server)', () => {
  it('is not reached by a Ctrl-C to its parent\'s process group, and is stopped when the parent exits without stopping it', async () => {
    // The parent leads its own group, as a shell makes a foreground command lead one.
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/support/redis-in-own-group.ts'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => parent.once('exit', (code) => done(code)));
    try {
      const port = Number((await waitForOutput(() => output, /port (\d+)/, 'the server\'s port'))[1]);
      expect(await portAccepts(port)).toBe(true);

      process.kill(-parent.pid!, 'SIGINT'); // what the terminal sends on Ctrl-C: every process of the group
      await waitForOutput(() => output, /SIGINT handled/, 'the parent to see the SIGINT');
      // A redis-server in the parent's group would be shutting down now (it stops within milliseconds of SIGINT).
      for (let check = 0; check < 10; check++) {
        expect(await portAccepts(port), 'the server still accepts connections after the Ctrl-C').toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      parent.kill('SIGTERM'); // the parent exits at once, without stopping the server
      expect(await exited).toBe(0);
      const deadline = Date.now() + 10_000;
      while ((await portAccepts(port)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await portAccepts(port), 'the server went with its parent').toBe(false);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  });
});
