import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { playbookSchema, type Playbook } from '../../../src/config/index.js';
import { compilePlaybook, runPlanOnHost, type HostRunResult } from '../../../src/execution/runner/index.js';
import { startWinrmTestServer, type WinrmTestServer } from '../../support/winrm-server/index.js';
import { SimulatedWindowsHost, type SimulatedWindowsHostOptions } from '../../support/winrm-server/windows-update-agent.js';
import { PASSWORD, transportTo, USER } from '../winrm/helpers.js';

/**
 * One Windows host for the shipped windows-* playbooks: the WinRM test server with a simulated Windows Update
 * Agent, reached through the project's own WinRS client, run by the playbook runner.
 */
export interface WindowsPlaybookHost {
  server: WinrmTestServer;
  windows: SimulatedWindowsHost;
  run(playbookId: string, options?: { checkMode?: boolean; params?: Record<string, unknown>; override?: Partial<Playbook> }): Promise<HostRunResult>;
  close(): Promise<void>;
}

export async function shippedPlaybook(id: string): Promise<Playbook & { file: string }> {
  const file = `playbooks/${id}.yaml`;
  const raw: unknown = parse(await readFile(resolve(process.cwd(), file), 'utf8'));
  return { ...playbookSchema.parse(raw), file };
}

export async function startWindowsPlaybookHost(options: SimulatedWindowsHostOptions = {}): Promise<WindowsPlaybookHost> {
  // The host goes down 100 ms after Restart-Computer returns and stays down 800 ms, like a quick VM restart.
  const server = await startWinrmTestServer({ users: { [USER]: PASSWORD }, operationTimeoutCapMs: 1_000, reboot: { dropAfterMs: 100, downMs: 800 } });
  const windows = new SimulatedWindowsHost(server, options);
  return {
    server,
    windows,
    async run(playbookId, runOptions = {}) {
      const playbook = { ...(await shippedPlaybook(playbookId)), ...runOptions.override };
      const plan = compilePlaybook(playbook, { params: runOptions.params ?? {}, checkMode: runOptions.checkMode ?? false });
      return await runPlanOnHost(plan, transportTo(server, { hostId: 'win-01' }), { rebootTimeoutMs: 60_000 });
    },
    close: () => server.close(),
  };
}

export function commandNamed(result: HostRunResult, name: string): HostRunResult['commands'][number] {
  const command = result.commands.find((c) => c.name === name);
  if (command === undefined) throw new Error(`no command "${name}" in ${result.commands.map((c) => c.name).join(', ')}`);
  return command;
}
