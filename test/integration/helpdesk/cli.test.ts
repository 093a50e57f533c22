import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { writeHelpdeskConfig } from './helpdesk-fixture.js';

const exec = promisify(execFile);
const redisUrl = inject('redisUrl');

async function redback(args: string[], env: Record<string, string | undefined> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/redback.js', ...args], { env: { ...process.env, REDIS_URL: redisUrl, REDBACK_ACTOR: 'jan', ...env } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

// Each subprocess compiles the CLI with tsx: seconds each on a busy machine, so the timeouts are generous.
describe('redback incidents and problems (subprocess)', { timeout: 240_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await writeHelpdeskConfig({ prefix: `cli-${randomUUID().slice(0, 8)}` });
  });

  it('opens an incident and prints the stored record with a numeric priority', async () => {
    const opened = await redback(['incidents', 'open', '--config', dir, '--customer', 'acme', '--category', 'mail', '--impact', 'medium', '--urgency', 'high', '--title', 'no mail since 09:00', '--host', 'web-02', '--json']);
    expect(opened.code).toBe(0);
    const record = JSON.parse(opened.stdout) as Record<string, unknown>;
    expect(record).toMatchObject({ id: 'INC-000001', priority: 2, status: 'new', impact: 'medium', urgency: 'high', hosts: ['web-02'], source: 'manual', customerId: 'acme' });
    expect(typeof (record.sla as { resolutionDueAt: unknown }).resolutionDueAt).toBe('string');
  });

  it('assigns, notes, waits for a window, resolves and closes, and shows the timeline', async () => {
    const id = (JSON.parse((await redback(['incidents', 'open', '--config', dir, '--customer', 'acme', '--category', 'printing', '--impact', 'low', '--urgency', 'low', '--title', 'cannot print', '--json'])).stdout) as { id: string }).id;
    expect((await redback(['incidents', 'assign', id, 'piet', '--config', dir])).stdout).toBe(`${id} assigned to piet (status assigned)\n`);
    expect((await redback(['incidents', 'note', id, 'driver issue', '--config', dir])).code).toBe(0);
    const waiting = await redback(['incidents', 'status', id, 'waiting-for-window', '--until', '2030-01-05T22:00:00+01:00', '--config', dir, '--json']);
    expect(JSON.parse(waiting.stdout)).toMatchObject({ status: 'waiting-for-window', waitingUntil: '2030-01-05T21:00:00.000Z', sla: { resolutionDueAt: null } });
    expect((await redback(['incidents', 'resolve', id, '--note', 'driver replaced', '--config', dir])).stdout).toBe(`${id} resolved\n`);
    expect((await redback(['incidents', 'close', id, '--config', dir])).stdout).toBe(`${id} closed\n`);
    const shown = await redback(['incidents', 'show', id, '--config', dir]);
    expect(shown.stdout).toMatch(new RegExp(`^${id}  cannot print$`, 'm'));
    expect(shown.stdout).toMatch(/priority +P5 planning \(impact low, urgency low\)/);
    expect(shown.stdout).toMatch(/resolution +driver replaced/);
    expect(shown.stdout).toMatch(/jan +incident\.assigned null -> "piet"/);
    expect(shown.stdout.match(/incident\.[a-z-]+/g)).toEqual(['incident.opened', 'incident.assigned', 'incident.noted', 'incident.waiting-for-window', 'incident.resolved', 'incident.closed']);
  });

  it('lists incidents with priority, status and due times in the customer zone, filtered by status', async () => {
    const all = await redback(['incidents', 'list', '--config', dir]);
    expect(all.stdout.split('\n')[0]).toMatch(/^ID +PRI +STATUS +CUSTOMER +CATEGORY +HOSTS +RESPOND BY +RESOLVE BY +TITLE$/);
    expect(all.stdout).toMatch(/^INC-000001 +P2 +new +acme +mail +1 +\d{4}-\d{2}-\d{2} \d{2}:\d{2} [+-]\d{2}:\d{2}/m);
    const open = await redback(['incidents', 'list', '--open', '--config', dir]);
    expect(open.stdout).toContain('INC-000001');
    expect(open.stdout).not.toMatch(/closed/);
  });

  it('refuses a transition that is not allowed, with the allowed ones, exit 1', async () => {
    const result = await redback(['incidents', 'close', 'INC-000001', '--config', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('redback: INC-000001 cannot move from new to closed: from new it can move to assigned, in-progress, waiting-for-window, resolved\n');
  });

  it('rejects an impact outside high|medium|low as a usage error, exit 2', async () => {
    const result = await redback(['incidents', 'open', '--config', dir, '--customer', 'acme', '--category', 'mail', '--impact', 'huge', '--urgency', 'high', '--title', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/option '--impact <level>' argument 'huge' is invalid. Allowed choices are high, medium, low/);
  });

  it('says how to configure Redis when none is set', async () => {
    const result = await redback(['incidents', 'list', '--config', dir], { REDIS_URL: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs Redis, and none is configured: set redis\.url in redback\.yaml or export REDIS_URL/);
  });

  it('opens a problem linked to an incident, records a known error, and lists it', async () => {
    const opened = await redback(['problems', 'open', '--config', dir, '--customer', 'acme', '--category', 'mail', '--impact', 'medium', '--urgency', 'medium', '--title', 'mail relay drops large messages', '--incident', 'INC-000001', '--json']);
    expect(JSON.parse(opened.stdout)).toMatchObject({ id: 'PRB-000001', priority: 3, incidentIds: ['INC-000001'], source: 'helpdesk' });
    expect((await redback(['problems', 'status', 'PRB-000001', 'known-error', '--note', 'send large files by link', '--config', dir])).stdout).toBe('PRB-000001 is known-error\n');
    const list = await redback(['problems', 'list', '--config', dir]);
    expect(list.stdout).toMatch(/^PRB-000001 +P3 +known-error +acme +mail +1 /m);
    const incident = JSON.parse((await redback(['incidents', 'show', 'INC-000001', '--config', dir, '--json'])).stdout) as { problemIds: string[] };
    expect(incident.problemIds).toEqual(['PRB-000001']);
  });
});
