import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SshTransport } from '../../../src/execution/ssh/index.js';
import { TransportError } from '../../../src/execution/transport.js';
import { startTestSshd, type TestSshd } from '../../support/sshd.js';
import { sshOptions, uniqueMarker } from './helpers.js';

/**
 * The reboot is simulated against the real sshd: the injected reboot command leaves a request file; the test
 * then stops sshd (dropping every session, as a power-off does), changes the boot marker or not, and starts it
 * again on the same port with the same host key.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setUp(): Promise<{ sshd: TestSshd; transport: SshTransport; requestFile: string }> {
  const sshd = await startTestSshd();
  const requestFile = `/tmp/redback-reboot-request-${uniqueMarker()}`;
  const transport = new SshTransport(
    sshOptions(sshd, { reboot: { command: `touch ${requestFile}`, bootIdCommand: `cat ${sshd.bootMarkerPath}`, become: false } }),
  );
  cleanups.push(async () => {
    await transport.close();
    await sshd.dispose();
    await rm(requestFile, { force: true });
  });
  return { sshd, transport, requestFile };
}

/** Plays the host: waits for the reboot request, goes down, and comes back after `downMs` if asked to. */
async function actAsHost(sshd: TestSshd, requestFile: string, behaviour: { newBootId: boolean; comeBack: boolean; downMs?: number }): Promise<string | undefined> {
  while (!existsSync(requestFile)) await new Promise((r) => setTimeout(r, 25));
  await sshd.stop();
  const bootId = behaviour.newBootId ? await sshd.rebootMarker() : undefined;
  await new Promise((r) => setTimeout(r, behaviour.downMs ?? 500));
  if (behaviour.comeBack) await sshd.start();
  return bootId;
}

describe('ssh reboot against a real sshd', () => {
  it('issues the reboot, sees the connection drop, reconnects and verifies the new boot id', async () => {
    const { sshd, transport, requestFile } = await setUp();
    const before = (await transport.exec(`cat ${sshd.bootMarkerPath}`)).stdout.trim();
    const [result, newBootId] = await Promise.all([
      transport.reboot({ timeoutMs: 30_000, pollIntervalMs: 200 }),
      actAsHost(sshd, requestFile, { newBootId: true, comeBack: true }),
    ]);
    expect(result.bootTimeBefore).toBe(before);
    expect(result.bootTimeAfter).toBe(newBootId);
    expect(result.bootTimeAfter).not.toBe(before);
    // The transport is usable again on the new connection.
    expect((await transport.exec('echo back')).stdout).toBe('back\n');
  });

  it('fails with reboot-timeout when the host comes back with the same boot id', async () => {
    const { sshd, transport, requestFile } = await setUp();
    const [outcome] = await Promise.all([
      transport.reboot({ timeoutMs: 4_000, pollIntervalMs: 200 }).then(() => undefined, (e: unknown) => e),
      actAsHost(sshd, requestFile, { newBootId: false, comeBack: true, downMs: 200 }),
    ]);
    expect(outcome).toBeInstanceOf(TransportError);
    expect((outcome as TransportError).failureClass).toBe('reboot-timeout');
    expect((outcome as TransportError).message).toContain('boot id is still');
  });

  it('fails with reboot-timeout when the host does not come back', async () => {
    const { sshd, transport, requestFile } = await setUp();
    const [outcome] = await Promise.all([
      transport.reboot({ timeoutMs: 3_000, pollIntervalMs: 200 }).then(() => undefined, (e: unknown) => e),
      actAsHost(sshd, requestFile, { newBootId: true, comeBack: false, downMs: 0 }),
    ]);
    expect(outcome).toBeInstanceOf(TransportError);
    expect((outcome as TransportError).failureClass).toBe('reboot-timeout');
    expect((outcome as TransportError).message).toMatch(/did not come back .* \(last: .*ECONNREFUSED/);
  });

  it('fails with step-failed when the reboot command itself fails', async () => {
    const sshd = await startTestSshd();
    const transport = new SshTransport(sshOptions(sshd, { reboot: { command: 'echo "not allowed" >&2; exit 1', bootIdCommand: `cat ${sshd.bootMarkerPath}`, become: false } }));
    cleanups.push(async () => {
      await transport.close();
      await sshd.dispose();
    });
    const outcome = await transport.reboot({ timeoutMs: 5_000, pollIntervalMs: 200 }).then(() => undefined, (e: unknown) => e);
    expect(outcome).toBeInstanceOf(TransportError);
    expect((outcome as TransportError).failureClass).toBe('step-failed');
    expect((outcome as TransportError).message).toContain('not allowed');
  });
});
