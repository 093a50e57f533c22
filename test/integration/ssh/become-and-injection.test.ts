import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { posixCommandLine, quotePosix } from '../../../src/execution/shell-quote.js';
import { SshTransport } from '../../../src/execution/ssh/index.js';
import { TransportError } from '../../../src/execution/transport.js';
import { createLogger } from '../../../src/platform/logger.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { remoteProcessesWith, sshOptions, uniqueMarker } from './helpers.js';

let sshd: TestSshd;
let transport: SshTransport;

beforeAll(async () => {
  sshd = await startTestSshd({ sudo: true });
  transport = new SshTransport(sshOptions(sshd));
});
afterAll(async () => {
  await transport?.close();
  await sshd?.dispose();
});

describe('become (sudo -n, no tty)', () => {
  it('runs the command as root and keeps its exit code and output', async () => {
    const result = await transport.exec("id -u; printf \"it's %s\\n\" \"$(whoami)\"; exit 4", { become: true });
    expect(result).toMatchObject({ exitCode: 4, stdout: "0\nit's root\n" });
  });

  it('kills an elevated command at its time limit: nothing is left running as root', async () => {
    const marker = uniqueMarker();
    const error = await transport.exec(`sleep 300; : ${marker}`, { become: true, timeoutMs: 1000 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).failureClass).toBe('timeout');
    expect(await remoteProcessesWith(marker, 'root')).toEqual([]);
    expect(await remoteProcessesWith(marker)).toEqual([]);
  });
});

describe('outside input never reaches a shell unquoted', () => {
  const pwned = `/tmp/redback-pwned-${process.pid}`;
  const hostile = [
    `; touch ${pwned}`,
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `x' ; touch ${pwned} ; echo '`,
    `a\ntouch ${pwned}`,
    `| touch ${pwned}`,
    `&& touch ${pwned}`,
    `café > ${pwned}`,
  ];

  afterAll(async () => {
    await rm(pwned, { force: true });
  });

  it.each(hostile)('passes %j as one literal argument, with and without become', async (value) => {
    for (const become of [false, true]) {
      const result = await transport.exec(posixCommandLine(['printf', '%s', value]), { become });
      expect(result.stdout).toBe(value);
      expect(existsSync(pwned)).toBe(false);
    }
  });

  it('keeps a package name with metacharacters one word inside a larger command', async () => {
    const name = `pkg; touch ${pwned}`;
    const result = await transport.exec(`for p in ${quotePosix(name)}; do echo "[$p]"; done`);
    expect(result.stdout).toBe(`[${name}]\n`);
    expect(existsSync(pwned)).toBe(false);
  });
});

describe('secrets stay out of logs and errors', () => {
  it('logs a password-authenticated session at trace level without the password', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ level: 'trace', pretty: false, destination });
    const good = new SshTransport(sshOptions(sshd, { privateKey: undefined, password: sshd.password, logger }));
    try {
      await good.exec('echo ok', { step: 'probe' });
    } finally {
      await good.close();
    }
    logger.info({ options: { password: sshd.password } }, 'an options object that carries a password');
    const bad = new SshTransport(sshOptions(sshd, { privateKey: undefined, password: `${sshd.password}-wrong`, logger }));
    const error = (await bad.exec('true').then(() => undefined, (e: unknown) => e)) as TransportError;
    logger.error({ err: error }, 'connect failed');
    expect(error.failureClass).toBe('auth');
    const all = lines.join('');
    expect(all).toContain('ssh connected');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain(sshd.password);
    expect(`${error.message}\n${error.stack}`).not.toContain(sshd.password);
  });
});
