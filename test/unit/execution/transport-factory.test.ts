import { describe, expect, it } from 'vitest';
import { hostSchema, type Host } from '../../../src/config/index.js';
import { createTransport } from '../../../src/execution/transport-factory.js';
import { AppError } from '../../../src/errors.js';

const PIN = `SHA256:${'A'.repeat(43)}`;
const host = (raw: Record<string, unknown>): Host => hostSchema.parse({ customer: 'c', os: 'debian', ...raw });
const env = { KEY: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n', PW: 'pw' };

function failure(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected createTransport to throw');
}

describe('createTransport', () => {
  it('builds the transport of each kind from an inventory host', () => {
    const ssh = host({ id: 'web', address: 'web.example', transport: 'ssh', credentials: { user: 'u', private_key: 'env:KEY' }, ssh: { host_key: PIN } });
    const winrm = host({ id: 'dc', address: 'dc.example', transport: 'winrm', os: 'windows', credentials: { user: 'u', password: 'env:PW' } });
    const local = host({ id: 'me', address: 'localhost', transport: 'local' });
    expect(createTransport(ssh, { configDir: '/cfg', env }).kind).toBe('ssh');
    expect(createTransport(ssh, { configDir: '/cfg', env }).shell).toBe('posix');
    expect(createTransport(winrm, { configDir: '/cfg', env }).kind).toBe('winrm');
    expect(createTransport(local, { configDir: '/cfg', env }).kind).toBe('local');
  });

  it('names the missing secret, never a value', () => {
    const ssh = host({ id: 'web', address: 'web.example', transport: 'ssh', credentials: { user: 'u', password: 'env:NOT_SET_ANYWHERE' }, ssh: { host_key: PIN } });
    expect(failure(() => createTransport(ssh, { configDir: '/cfg', env: {} })).message).toContain('env:NOT_SET_ANYWHERE');
  });

  it('refuses agent: true without SSH_AUTH_SOCK, saying what to do', () => {
    const ssh = host({ id: 'web', address: 'web.example', transport: 'ssh', credentials: { user: 'u', agent: true }, ssh: { host_key: PIN } });
    const error = failure(() => createTransport(ssh, { configDir: '/cfg', env: {} }));
    expect(error.code).toBe('prerequisite-missing');
    expect(error.message).toContain('SSH_AUTH_SOCK');
  });

  it('resolves a jump host from the inventory and refuses unknown ids, non-ssh jump hosts and loops', () => {
    const a = host({ id: 'a', address: 'a', transport: 'ssh', credentials: { user: 'u', password: 'env:PW' }, ssh: { host_key: PIN, jump_host: 'b' } });
    const b = host({ id: 'b', address: 'b', transport: 'ssh', credentials: { user: 'u', password: 'env:PW' }, ssh: { host_key: PIN } });
    const loopB = host({ id: 'b', address: 'b', transport: 'ssh', credentials: { user: 'u', password: 'env:PW' }, ssh: { host_key: PIN, jump_host: 'a' } });
    const winB = host({ id: 'b', address: 'b', transport: 'winrm', os: 'windows', credentials: { user: 'u', password: 'env:PW' } });
    expect(createTransport(a, { configDir: '/cfg', env, hosts: [a, b] }).kind).toBe('ssh');
    expect(failure(() => createTransport(a, { configDir: '/cfg', env, hosts: [a] })).message).toContain('ssh.jump_host b is not an inventory host');
    expect(failure(() => createTransport(a, { configDir: '/cfg', env, hosts: [a, winB] })).message).toContain('a jump host must use ssh');
    expect(failure(() => createTransport(a, { configDir: '/cfg', env, hosts: [a, loopB] })).message).toContain('jump hosts form a loop (a -> b -> a)');
  });

  it('refuses a WinRM host without a password', () => {
    const winrm = host({ id: 'dc', address: 'dc', transport: 'winrm', os: 'windows', credentials: { user: 'u', private_key: 'env:KEY' } });
    expect(failure(() => createTransport(winrm, { configDir: '/cfg', env })).message).toContain('WinRM needs credentials.password');
  });
});
