import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../src/interfaces/cli/program.js';

/** Argument checks of `redback exec`, in-process (the end-to-end runs of the real CLI are in exec-cli.test.ts). */
let written = '';
beforeEach(() => {
  written = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += chunk.toString();
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function usageError(args: string[]): Promise<CommanderError> {
  const error = await buildProgram()
    .parseAsync(['node', 'redback', ...args])
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(CommanderError);
  return error as CommanderError;
}

describe('redback exec argument checks', () => {
  it.each([
    [['exec', 'ssh://u@h', '--identity', '/dev/null', '--', 'true'], 'the SSH host key must be checked'],
    [['exec', 'ssh://u@h', '--identity', '/dev/null', '--host-key', 'SHA256:x', '--', 'true'], '--host-key expects an OpenSSH SHA256 fingerprint'],
    [['exec', 'ftp://u@h', '--', 'true'], 'unknown scheme "ftp"'],
    [['exec', 'ssh://h', '--', 'true'], 'no user in "ssh://h"'],
    [['exec', 'ssh://u:secret@h', '--', 'true'], 'do not put a password in the target URI'],
    [['exec', 'ssh://u@h', '--identity', '/dev/null', '--trust-on-first-use', '--timeout', 'soon', '--', 'true'], '--timeout expects a duration'],
    [['exec', 'ssh://u@h', '--trust-on-first-use', '--ca', 'x.pem', '--', 'true'], '--ca only apply to winrm'],
    [['exec', 'ssh://u@h', '--trust-on-first-use', '--identity', '/dev/null', '--powershell', '--', 'true'], '--powershell only applies to winrm'],
    [['exec', 'ssh://u@h', '--trust-on-first-use', '--identity', '/no/such/key', '--', 'true'], 'cannot read --identity /no/such/key (ENOENT)'],
    [['exec', 'winrm://u@h', '--identity', 'k', '--', 'true'], '--identity only apply to ssh:// targets'],
    [['exec', 'winrms://u@h', '--', 'true'], 'needs --password-env NAME'],
    [['exec', 'ssh://u@h', '--trust-on-first-use', '--password-env', 'RB_UNSET_VAR', '--', 'true'], 'RB_UNSET_VAR is not set'],
    [['exec', 'some-host', '--identity', 'k', '--', 'true'], 'only apply to ssh:// and winrm:// targets'],
    [['exec', 'ssh://u@h', '--auth', 'kerberos', '--', 'true'], "Allowed choices are basic, ntlm"],
    [['exec', 'ssh://u@h'], "missing required argument 'command'"],
  ])('refuses %j as a usage error with a message that says what to do', async (args, message) => {
    const error = await usageError(args);
    // main.ts turns every usage error into exit status 2 (exec-cli.test.ts checks that on the real binary).
    expect(error.exitCode).not.toBe(0);
    expect(`${error.message}\n${written}`).toContain(message);
  });

  it('never echoes a password given in the URI', async () => {
    const error = await usageError(['exec', 'ssh://u:Sup3rSecret@h', '--', 'true']);
    expect(`${error.message}\n${written}`).not.toContain('Sup3rSecret');
  });
});
