import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTransport, type LearnedHostKey } from '../../../src/execution/ssh/index.js';
import { TransportError } from '../../../src/execution/transport.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { sshOptions } from './helpers.js';

const run = promisify(execFile);
let sshd: TestSshd;
let work: string;

beforeAll(async () => {
  sshd = await startTestSshd();
  work = await mkdtemp(join(tmpdir(), 'redback-hostkeys-'));
});
afterAll(async () => {
  await sshd?.dispose();
  await rm(work, { recursive: true, force: true });
});

async function failureOf(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

async function execOnce(transport: SshTransport, command = 'echo ok'): Promise<string> {
  try {
    return (await transport.exec(command)).stdout;
  } finally {
    await transport.close();
  }
}

describe('host key policy', () => {
  it('accepts the key listed in a known_hosts file', async () => {
    expect(await execOnce(new SshTransport(sshOptions(sshd, { hostKey: { knownHostsPath: sshd.knownHostsPath } })))).toBe('ok\n');
  });

  it('accepts a hashed known_hosts entry, as ssh-keygen -H writes it', async () => {
    const path = join(work, 'hashed_known_hosts');
    await writeFile(path, await readFile(sshd.knownHostsPath, 'utf8'));
    await run('ssh-keygen', ['-H', '-f', path]);
    expect(await readFile(path, 'utf8')).toMatch(/^\|1\|/);
    expect(await execOnce(new SshTransport(sshOptions(sshd, { hostKey: { knownHostsPath: path } })))).toBe('ok\n');
  });

  it('refuses a host whose known_hosts line holds another key, with class host-key and the line number', async () => {
    const other = await startTestSshd();
    try {
      const path = join(work, 'changed_known_hosts');
      await writeFile(path, `# comment\n[127.0.0.1]:${sshd.port} ${other.hostPublicKey}\n`);
      const error = await failureOf(new SshTransport(sshOptions(sshd, { hostKey: { knownHostsPath: path } })).exec('true'));
      expect(error.failureClass).toBe('host-key');
      expect(error.message).toContain('line 2');
      expect(error.message).toContain(sshd.hostKeyFingerprint);
    } finally {
      await other.dispose();
    }
  });

  it('refuses a host missing from known_hosts unless trust on first use is set', async () => {
    const path = join(work, 'empty_known_hosts');
    await writeFile(path, '');
    const error = await failureOf(new SshTransport(sshOptions(sshd, { hostKey: { knownHostsPath: path } })).exec('true'));
    expect(error.failureClass).toBe('host-key');
    expect(error.message).toContain('is not in');
  });

  it('trusts an unknown key on first use only when told to, records it, and then pins it', async () => {
    const path = join(work, 'tofu_known_hosts');
    const learned: LearnedHostKey[] = [];
    const first = new SshTransport(sshOptions(sshd, { hostKey: { knownHostsPath: path, trustOnFirstUse: true, onLearned: (k) => learned.push(k) } }));
    expect(await execOnce(first)).toBe('ok\n');
    expect(learned).toEqual([{ host: '127.0.0.1', port: sshd.port, fingerprint: sshd.hostKeyFingerprint, publicKey: sshd.hostPublicKey }]);
    expect(await readFile(path, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);

    // The recorded key is now a pin: a different server on that name is refused even with trust on first use.
    const other = await startTestSshd();
    try {
      const path2 = join(work, 'tofu_known_hosts_2');
      await writeFile(path2, `[127.0.0.1]:${other.port} ${sshd.hostPublicKey}\n`);
      const error = await failureOf(new SshTransport(sshOptions(other, { hostKey: { knownHostsPath: path2, trustOnFirstUse: true } })).exec('true'));
      expect(error.failureClass).toBe('host-key');
    } finally {
      await other.dispose();
    }
  });

  it('refuses to connect at all when nothing pins the key and trust on first use is off', async () => {
    const error = await failureOf(new SshTransport(sshOptions(sshd, { hostKey: {} })).exec('true'));
    expect(error.failureClass).toBe('host-key');
    expect(error.message).toContain('not pinned');
  });
});

describe('authentication methods', () => {
  let agent: ChildProcess | undefined;
  let agentSocket: string;

  afterAll(() => {
    if (agent?.pid !== undefined) process.kill(agent.pid, 'SIGTERM');
  });

  it('authenticates through an ssh-agent holding the key', async () => {
    agentSocket = join(work, 'agent.sock');
    // -D: foreground, so this test owns the process and can end it by pid.
    agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await readFile(agentSocket).then(() => true, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await run('ssh-add', [sshd.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
    expect(await execOnce(new SshTransport(sshOptions(sshd, { privateKey: undefined, agent: agentSocket })))).toBe('ok\n');
  });

  it('reports a key whose passphrase is wrong as auth, without the passphrase in the message', async () => {
    const passphrase = 'not-the-right-passphrase-123';
    const error = await failureOf(new SshTransport(sshOptions(sshd, { privateKey: await readFile(sshd.encryptedKeyPath), passphrase })).exec('true'));
    expect(error.failureClass).toBe('auth');
    expect(`${error.message} ${error.stack}`).not.toContain(passphrase);
  });

  it('reports an encrypted key without a passphrase as auth', async () => {
    const error = await failureOf(new SshTransport(sshOptions(sshd, { privateKey: await readFile(sshd.encryptedKeyPath) })).exec('true'));
    expect(error.failureClass).toBe('auth');
  });

  it('tunnels through a jump host, checking both host keys', async () => {
    const jumpTarget = await startTestSshd();
    try {
      const transport = new SshTransport(sshOptions(jumpTarget, { jump: sshOptions(sshd, { hostId: 'bastion' }) }));
      expect(await execOnce(transport, 'echo via-jump')).toBe('via-jump\n');
      const refused = new SshTransport(sshOptions(jumpTarget, { jump: sshOptions(sshd, { hostId: 'bastion', hostKey: { fingerprint: jumpTarget.hostKeyFingerprint } }) }));
      const error = await failureOf(refused.exec('true'));
      expect(error.failureClass).toBe('host-key');
      expect(error.message).toContain('host bastion');

      // The tunnel really runs through the bastion: one that forbids forwarding makes the target unreachable.
      const closedBastion = await startTestSshd({ extraConfig: ['AllowTcpForwarding no'] });
      try {
        const blocked = new SshTransport(sshOptions(jumpTarget, { jump: sshOptions(closedBastion, { hostId: 'closed-bastion' }) }));
        const blockedError = await failureOf(blocked.exec('true'));
        expect(blockedError.failureClass).toBe('unreachable');
        expect(blockedError.message).toContain('jump host closed-bastion could not open a tunnel');
      } finally {
        await closedBastion.dispose();
      }
    } finally {
      await jumpTarget.dispose();
    }
  });
});
