import { describe, expect, it } from 'vitest';
import { expectedMarkers, killCommand, parseMarker, wrapCommand } from '../../../../src/execution/ssh/remote-process.js';
import { classifyConnectError } from '../../../../src/execution/ssh/ssh-errors.js';

describe('remote process wrapper', () => {
  it('reports the group id and execs the command as one quoted word', () => {
    const wrapped = wrapCommand("echo 'a'; rm x", { become: false });
    expect(wrapped).toContain(`exec /bin/sh -c 'echo '\\''a'\\''; rm x'`);
    expect(expectedMarkers({ become: false })).toBe(1);
  });

  it('with become, passes the command to the shell under sudo -n as an argument, and reports twice', () => {
    const wrapped = wrapCommand('id -u', { become: true });
    expect(wrapped).toMatch(/exec sudo -n -- \/bin\/sh -c '.*exec \/bin\/sh -c "\$1"' redback 'id -u'$/);
    expect(expectedMarkers({ become: true })).toBe(2);
  });

  it('recognises only its own marker line', () => {
    expect(parseMarker('\u001eredback-pgid=4242\u001e')).toBe(4242);
    expect(parseMarker('redback-pgid=4242')).toBeUndefined();
    expect(parseMarker('\u001eredback-pgid=1\u001e')).toBeUndefined();
    expect(parseMarker('\u001eredback-pgid=12; rm\u001e')).toBeUndefined();
  });

  it('refuses to build a kill for pid 0, 1 or nothing', () => {
    expect(() => killCommand([1], { become: false })).toThrow(/above 1/);
    expect(() => killCommand([0], { become: false })).toThrow(/above 1/);
    expect(() => killCommand([], { become: false })).toThrow(/at least one/);
    expect(killCommand([100, 200], { become: true })).toMatch(/^sudo -n -- \/bin\/sh -c '.*for g in 100 200;/s);
  });
});

describe('connect error classes', () => {
  const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);
  it.each([
    [err('All configured authentication methods failed', { level: 'client-authentication' }), 'auth'],
    [err('Cannot parse privateKey: Encrypted private OpenSSH key detected, but no passphrase given'), 'auth'],
    [err('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED', level: 'client-socket' }), 'unreachable'],
    [err('getaddrinfo ENOTFOUND nohost', { code: 'ENOTFOUND' }), 'unreachable'],
    [err('Timed out while waiting for handshake', { level: 'client-timeout' }), 'unreachable'],
    [err('something odd'), 'internal'],
  ])('classes %s as %s', (error, failureClass) => {
    expect(classifyConnectError(error, undefined).failureClass).toBe(failureClass);
  });

  it('classes anything as host-key once the verifier refused the key', () => {
    expect(classifyConnectError(err('Host denied (verification failed)'), 'pinned key differs')).toEqual({ failureClass: 'host-key', reason: 'pinned key differs' });
  });
});
