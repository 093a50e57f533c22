import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWinrmTestServer, type ScriptStep, type WinrmTestServer } from '../../support/winrm-server/index.js';
import { canonicalXml, findText } from './xml-tree.js';

/**
 * Fidelity proof 1: every recorded pypsrp exchange with a real Windows host (fixtures/winrm/pypsrp/) is sent
 * to the test server, and each answer must equal the recorded one as an element tree, ids and addresses aside.
 * The fake command's output is taken from the recording (it is what that host's process printed); everything
 * else — envelopes, batching into rsp:Stream elements, End markers, CommandState, the faults with their codes
 * and texts, HTTP statuses — is the server's own.
 */
const FIXTURES = path.resolve(process.cwd(), '../shared/fixtures/winrm');
const SCENARIOS = path.join(FIXTURES, 'pypsrp');
const index = JSON.parse(readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as {
  files: { file: string; kind: string; http_status?: number | null }[];
};

interface Exchange {
  name: string;
  request: string;
  response: string;
  status: number;
}

function exchanges(scenario: string): Exchange[] {
  const dir = path.join(SCENARIOS, scenario);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.request.xml'))
    .sort()
    .map((file) => {
      const name = file.replace('.request.xml', '');
      const responseFile = `pypsrp/${scenario}/${name}.response.xml`;
      const status = index.files.find((entry) => entry.file === responseFile)?.http_status ?? 200;
      return { name, request: readFileSync(path.join(dir, file), 'utf8'), response: readFileSync(path.join(FIXTURES, responseFile), 'utf8'), status };
    });
}

/** The recorded behaviour of each successfully started command: its output batches, silences and exit code. */
function scriptsFrom(recorded: Exchange[]): Map<string, ScriptStep[]> {
  const scripts = new Map<string, ScriptStep[]>();
  const usesStdin = recorded.some((exchange) => exchange.name.endsWith('-Send'));
  for (const exchange of recorded) {
    if (!exchange.name.endsWith('-Command') || exchange.status !== 200) continue;
    const commandId = findText(exchange.response, 'CommandId') ?? '';
    const steps: ScriptStep[] = usesStdin ? [{ waitForStdin: true }] : [];
    let silent = 0;
    for (const receive of recorded.filter((other) => other.name.endsWith('-Receive') && other.request.includes(`CommandId="${commandId}"`))) {
      if (receive.status === 500) {
        if (receive.response.includes('2150858793')) silent += 1;
        continue;
      }
      if (silent > 0) steps.push({ silentPolls: silent });
      silent = 0;
      for (const match of receive.response.matchAll(/<rsp:Stream Name="(stdout|stderr)"[^>]*?(?<!End="true")>([^<]+)<\/rsp:Stream>/g)) {
        const bytes = Buffer.from(match[2] ?? '', 'base64');
        steps.push(match[1] === 'stdout' ? { stdout: bytes } : { stderr: bytes });
      }
      const exitCode = findText(receive.response, 'ExitCode');
      if (exitCode !== undefined) steps.push({ exit: Number(exitCode) });
    }
    scripts.set(commandId, steps);
  }
  return scripts;
}

async function post(url: string, body: string, user: string): Promise<{ status: number; body: string; contentType: string | undefined; server: string | undefined }> {
  return await new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/soap+xml;charset=UTF-8',
          Authorization: `Basic ${Buffer.from(`${user}:vagrant`).toString('base64')}`,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), contentType: res.headers['content-type'], server: String(res.headers.server) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let server: WinrmTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const scenarios = readdirSync(SCENARIOS).sort();

describe('replay of recorded Windows exchanges against the test server', () => {
  it('has the nine recorded pypsrp scenarios to replay', () => {
    expect(scenarios).toHaveLength(9);
  });

  it.each(scenarios)('%s: every answer matches the recording', async (scenario) => {
    const recorded = exchanges(scenario);
    // The recorded hosts differ: the owner they authenticated, and whether the Windows version adds p:ActivityId.
    const create = recorded[0]?.response ?? '';
    const user = findText(create, 'Owner') ?? 'vagrant';
    server = await startWinrmTestServer({ users: { [user]: 'vagrant' }, operationTimeoutCapMs: 300, activityId: create.includes('ActivityId') });
    const scripts = scriptsFrom(recorded);
    const ids = new Map<string, string>();
    for (const exchange of recorded) {
      let outgoing = exchange.request;
      for (const [recordedId, liveId] of ids) outgoing = outgoing.split(recordedId).join(liveId);
      if (exchange.name.endsWith('-Command') && exchange.status === 200) {
        const steps = scripts.get(findText(exchange.response, 'CommandId') ?? '') ?? [];
        server.commands.add({ match: () => true, steps, times: 1 });
      }
      const answer = await post(server.url, outgoing, user);
      expect(answer.status, `${scenario}/${exchange.name} HTTP status`).toBe(exchange.status);
      expect(answer.contentType).toBe('application/soap+xml;charset=UTF-8');
      expect(answer.server).toBe('Microsoft-HTTPAPI/2.0');
      expect(findText(answer.body, 'RelatesTo'), `${scenario}/${exchange.name} RelatesTo`).toBe(findText(outgoing, 'MessageID'));
      expect(canonicalXml(answer.body), `${scenario}/${exchange.name}`).toEqual(canonicalXml(exchange.response));
      // Later requests name the recorded ids; send the ones this server issued instead.
      for (const element of ['Selector', 'CommandId']) {
        const recordedId = findText(exchange.response, element);
        const liveId = findText(answer.body, element);
        if (recordedId !== undefined && liveId !== undefined) ids.set(recordedId, liveId);
      }
    }
  });
});
