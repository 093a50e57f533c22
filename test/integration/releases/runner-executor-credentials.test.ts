import { afterEach, describe, expect, it } from 'vitest';
import { findHost, loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createRunnerExecutor } from '../../../src/releases/index.js';

// The project's own example configuration: its demo-unreachable host is an SSH host on 127.0.0.1 port 1 (nothing
// listens there); the tests give it the ssh-agent as its credentials.
const savedAgent = process.env.SSH_AUTH_SOCK;
afterEach(() => {
  if (savedAgent === undefined) delete process.env.SSH_AUTH_SOCK;
  else process.env.SSH_AUTH_SOCK = savedAgent;
});

async function runDemoUnreachable() {
  const config = await loadConfig({ dir: process.cwd() });
  const demo = findHost(config, 'demo-unreachable');
  if (demo === undefined) throw new Error('the example inventory has no demo-unreachable host');
  const host = { ...demo, credentials: { user: 'redback', privateKey: undefined, passphrase: undefined, password: undefined, agent: true } };
  const executor = createRunnerExecutor(config, silentLogger());
  return await executor({ runId: 'b/demo-unreachable', host, playbooks: ['demo-check'], params: {}, checkMode: true, keepResults: false, signal: new AbortController().signal, onLine: () => undefined });
}

describe('runner executor: hosts whose transport cannot be built or reached', () => {
  it('a credential this worker cannot use (no ssh-agent) fails at once with class auth, not retried, saying what to do', async () => {
    delete process.env.SSH_AUTH_SOCK;
    const outcome = await runDemoUnreachable();
    expect(outcome).toMatchObject({ status: 'failed', failureClass: 'auth', retryable: false });
    expect(outcome.reason).toContain('SSH_AUTH_SOCK is not set; start ssh-agent');
  });

  it('with an agent there, the host fails as unreachable (nothing listens on its port), which is retried', async () => {
    process.env.SSH_AUTH_SOCK = '/nonexistent/agent.sock'; // never asked: the TCP connection is refused first
    const outcome = await runDemoUnreachable();
    expect(outcome).toMatchObject({ status: 'failed', failureClass: 'unreachable' });
    expect(outcome.retryable).not.toBe(false);
  });
});
