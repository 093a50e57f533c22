import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { ConfigError, formatConfigIssue } from '../../../src/errors.js';
import { compilePlaybook, PlaybookInputError, runPlanOnHost } from '../../../src/execution/runner/index.js';
import { FakeTransport } from './fake-transport.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/playbooks');
let dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

/** A config directory holding only the given fixture playbook. */
async function configWith(fixture: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redback-playbook-fixture-'));
  dirs.push(dir);
  await mkdir(join(dir, 'playbooks'));
  await cp(join(FIXTURES, fixture), join(dir, 'playbooks', fixture));
  return dir;
}

async function loadErrors(fixture: string): Promise<string[]> {
  const error = await loadConfig({ dir: await configWith(fixture) }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).issues.filter((i) => i.severity === 'error').map(formatConfigIssue);
}

describe('bad playbooks are refused with the file and the path', () => {
  it('an unknown key', async () => {
    expect(await loadErrors('unknown-key.yaml')).toEqual([expect.stringMatching(/^playbooks\/unknown-key\.yaml:7: steps\[0\]\.retry: unknown key "retry"/)]);
  });

  it('a step without run', async () => {
    expect(await loadErrors('step-without-run.yaml')).toEqual([expect.stringMatching(/^playbooks\/step-without-run\.yaml:\d+: steps\[0\]\.run: expected the command to run, given nothing/)]);
  });

  it('a parameter of an unknown type', async () => {
    expect(await loadErrors('wrong-param-type.yaml')).toEqual([expect.stringMatching(/^playbooks\/wrong-param-type\.yaml:5: params\.packages\.type: expected one of string, number, boolean, packages, package-name, path, given "list"/)]);
  });

  it('a timeout of 0', async () => {
    expect(await loadErrors('timeout-zero.yaml')).toEqual([expect.stringMatching(/^playbooks\/timeout-zero\.yaml:7: steps\[0\]\.timeout: expected /)]);
  });

  it('a package name with shell syntax: nothing runs', async () => {
    const config = await loadConfig({ dir: await configWith('package-param.yaml') });
    const playbook = config.playbooks[0];
    expect(playbook).toBeDefined();
    const transport = new FakeTransport('web-1', []);
    let error: unknown;
    try {
      await runPlanOnHost(compilePlaybook(playbook as NonNullable<typeof playbook>, { params: { packages: [{ name: 'openssl; rm -rf /' }] } }), transport);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlaybookInputError);
    expect((error as PlaybookInputError).message).toContain('playbooks/package-param.yaml: params.packages[0].name: expected a debian package name');
    expect((error as PlaybookInputError).message).toContain('nothing was run');
    expect(transport.executed).toEqual([]);
  });
});
