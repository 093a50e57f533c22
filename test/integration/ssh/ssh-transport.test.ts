import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport } from '../../../src/execution/ssh/index.js';
import { TransportError } from '../../../src/execution/transport.js';
import { findFreePort } from '../../../src/platform/free-port.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { remoteProcessesWith, sshOptions, uniqueMarker } from './helpers.js';

let sshd: TestSshd;
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

beforeAll(async () => {
  sshd = await startTestSshd();
});
afterAll(async () => {
  await sshd?.dispose();
});

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('ssh transport against a real sshd', () => {
  it('authenticates with a private key and returns stdout, stderr and the exit code', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const result = await transport.exec('echo out; echo err >&2; id -un');
      expect(result).toMatchObject({ exitCode: 0, stdout: `out\n${sshd.user}\n`, stderr: 'err\n', stdoutTruncatedBytes: 0, stderrTruncatedBytes: 0 });
    } finally {
      await transport.close();
    }
  });

  it('authenticates with an encrypted private key and its passphrase', async () => {
    const transport = new SshTransport(sshOptions(sshd, { privateKey: readFileSync(sshd.encryptedKeyPath), passphrase: sshd.keyPassphrase }));
    try {
      expect((await transport.exec('echo ok')).stdout).toBe('ok\n');
    } finally {
      await transport.close();
    }
  });

  it('authenticates with a password', async () => {
    const transport = new SshTransport(sshOptions(sshd, { privateKey: undefined, password: sshd.password }));
    try {
      expect((await transport.exec('echo pw')).stdout).toBe('pw\n');
    } finally {
      await transport.close();
    }
  });

  it('reuses one connection for every step', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      // The login shell's parent is the per-connection sshd process: the same one for every step, while each
      // step has its own shell.
      const first = await transport.exec('echo $PPID $$');
      const second = await transport.exec('echo $PPID $$');
      const [parent1, shell1] = first.stdout.trim().split(' ');
      const [parent2, shell2] = second.stdout.trim().split(' ');
      expect(parent1).toBe(parent2);
      expect(shell1).not.toBe(shell2);
    } finally {
      await transport.close();
    }
  });

  it('returns exit code 3 as a result, not an error (the runner classes it step-failed)', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const result = await transport.exec('echo before; exit 3', { step: 'check', attempt: 1 });
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toBe('before\n');
    } finally {
      await transport.close();
    }
  });

  it('refuses a key the server does not accept with class auth, not retryable', async () => {
    const transport = new SshTransport(sshOptions(sshd, { privateKey: readFileSync(sshd.wrongKeyPath) }));
    const error = await failureOf(transport.exec('true', { step: 'probe', attempt: 2 }));
    expect(error.failureClass).toBe('auth');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('host test-sshd, step "probe", attempt 2');
  });

  it('refuses a wrong password with class auth and never echoes the password', async () => {
    const secret = 'Wr0ng-S3cret-value-xyz';
    const transport = new SshTransport(sshOptions(sshd, { privateKey: undefined, password: secret }));
    const error = await failureOf(transport.exec('true'));
    expect(error.failureClass).toBe('auth');
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(secret);
  });

  it('refuses a changed host key with class host-key, naming both fingerprints', async () => {
    const other = await startTestSshd();
    try {
      // Same pin, different server on another port: its key is not the pinned one.
      const transport = new SshTransport(sshOptions(other, { hostKey: { fingerprint: sshd.hostKeyFingerprint } }));
      const error = await failureOf(transport.exec('true'));
      expect(error.failureClass).toBe('host-key');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(other.hostKeyFingerprint);
      expect(error.message).toContain(sshd.hostKeyFingerprint);
    } finally {
      await other.dispose();
    }
  });

  it('refuses an unknown host with class unreachable when the port is closed, retryable', async () => {
    const port = await findFreePort();
    const transport = new SshTransport(sshOptions(sshd, { port }));
    const error = await failureOf(transport.exec('true', { step: 'probe' }));
    expect(error.failureClass).toBe('unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('stops a hanging command at its time limit with class timeout and leaves no process behind', async () => {
    const marker = uniqueMarker();
    const transport = new SshTransport(sshOptions(sshd));
    try {
      // A child that ignores TERM and a grandchild in the background: the whole group must go.
      const command = `trap '' TERM; sh -c 'sleep 300; : ${marker}' & sleep 300; : ${marker}`;
      const running = transport.exec(command, { timeoutMs: 1500, step: 'hang' });
      const error = await failureOf(running);
      expect(error.failureClass).toBe('timeout');
      expect(error.message).toContain('was killed');
      expect(await remoteProcessesWith(marker)).toEqual([]);
      // The connection is still usable after the kill.
      expect((await transport.exec('echo alive')).stdout).toBe('alive\n');
    } finally {
      await transport.close();
    }
  });

  it('cancels a running command through its AbortSignal with class cancelled and kills it', async () => {
    const marker = uniqueMarker();
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const controller = new AbortController();
      const lines: string[] = [];
      const running = transport.exec(`echo started; sleep 300; : ${marker}`, {
        signal: controller.signal,
        onLine: (_stream, line) => {
          lines.push(line);
          if (line === 'started') controller.abort();
        },
      });
      const error = await failureOf(running);
      expect(error.failureClass).toBe('cancelled');
      expect(lines).toEqual(['started']);
      expect(await remoteProcessesWith(marker)).toEqual([]);
    } finally {
      await transport.close();
    }
  });

  it('streams output line by line as it arrives, across chunk boundaries and in UTF-8', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const seen: Array<[string, string]> = [];
      const result = await transport.exec("printf 'caf\\303'; sleep 0.2; printf '\\251 ok\\nsecond\\n'; echo warn >&2; printf 'no newline'", {
        onLine: (stream, line) => seen.push([stream, line]),
      });
      expect(seen).toEqual([
        ['stdout', 'café ok'],
        ['stdout', 'second'],
        ['stderr', 'warn'],
        ['stdout', 'no newline'],
      ]);
      expect(result.stdout).toBe('café ok\nsecond\nno newline');
    } finally {
      await transport.close();
    }
  });

  it('keeps 5 MB of output to the cap, counts the rest and holds memory flat', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const cap = 64 * 1024;
      const total = 5 * 1024 * 1024;
      let lines = 0;
      // The live set, not garbage: collect first. Buffers live outside the V8 heap, so count both.
      const used = () => {
        collectGarbage();
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      let peak = 0;
      const baseline = used();
      const result = await transport.exec(`head -c ${total} /dev/zero | tr '\\0' 'x' | fold -w 1023; head -c ${total} /dev/zero | tr '\\0' 'y' >&2`, {
        maxOutputBytes: cap,
        onLine: () => {
          lines += 1;
          if (lines % 1000 === 0) peak = Math.max(peak, used());
        },
      });
      expect(result.exitCode).toBe(0);
      expect(Buffer.byteLength(result.stdout)).toBe(cap);
      expect(result.stdoutTruncatedBytes).toBe(total + Math.floor(total / 1023) - cap);
      expect(Buffer.byteLength(result.stderr)).toBe(cap);
      expect(result.stderrTruncatedBytes).toBe(total - cap);
      expect(lines).toBe(Math.ceil(total / 1023) + Math.ceil(total / (64 * 1024)));
      peak = Math.max(peak, used());
      // Keeping what the command printed would hold up to 10 MB live by the end; capped at 64 KiB per stream it
      // stays at the cap plus what is in flight.
      expect(peak - baseline).toBeLessThan(4 * 1024 * 1024);
    } finally {
      await transport.close();
    }
  });

  it('runs 50 concurrent sessions on one connection of one worker', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => transport.exec(`sleep 0.5; echo ${i}`)));
      expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}\n`));
    } finally {
      await transport.close();
    }
  });

  it('runs 50 concurrent connections to one host (50 transports in one process)', async () => {
    const transports = Array.from({ length: 50 }, (_, i) => new SshTransport(sshOptions(sshd, { hostId: `h${i}` })));
    try {
      const results = await Promise.all(transports.map((t, i) => t.exec(`echo ${i}`)));
      expect(results.map((r) => r.stdout.trim())).toEqual(transports.map((_, i) => String(i)));
    } finally {
      await Promise.all(transports.map((t) => t.close()));
    }
  });

  it('gives EOF on stdin so a command that reads it does not hang', async () => {
    const transport = new SshTransport(sshOptions(sshd));
    try {
      const result = await transport.exec('cat; echo done', { timeoutMs: 20_000 });
      expect(result.stdout).toBe('done\n');
    } finally {
      await transport.close();
    }
  });

  it('notices a host that stops answering mid-command through keepalives: unreachable, retryable', async () => {
    const frozen = await startTestSshd();
    const transport = new SshTransport(sshOptions(frozen, { keepaliveMs: 250 }));
    try {
      const lines: string[] = [];
      const running = transport.exec('echo started; sleep 60', { step: 'long', onLine: (_s, line) => lines.push(line) });
      while (!lines.includes('started')) await new Promise((r) => setTimeout(r, 20));
      await frozen.freeze();
      // No time limit on the command: only the keepalive (3 unanswered at 250 ms) can end this wait.
      const error = await failureOf(running);
      expect(error.failureClass).toBe('unreachable');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('step "long"');
    } finally {
      await frozen.thaw();
      await transport.close();
      await frozen.dispose();
    }
  });
});
