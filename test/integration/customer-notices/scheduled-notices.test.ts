import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.js';
import { redbackFileSchema } from '../../../src/config/schemas/redback.js';
import { startHelpdeskRuntime, type HelpdeskRuntime } from '../../../src/helpdesk/index.js';
import { FixedClock } from '../../../src/platform/clock.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { createHostRunQueue } from '../../../src/queue/index.js';
import { createAuditWriter, plannerTick, type OrchestrationContext } from '../../../src/releases/index.js';
import { uniquePrefix } from '../../support/orchestration/context.js';
import { waitFor } from '../../support/orchestration/wait.js';

/**
 * `customer_notices` in redback.yaml drives the notices from the helpdesk runtime that every `redback scheduler`
 * (and `redback serve`) starts: two runtimes on one Redis, as two schedulers would be, send each notice once,
 * through the SMTP server, password and sender of the email notifier the section names.
 */
const BATCH = 'night@20300105T220000Z';
const SMTP_USER = 'notices';
const SMTP_PASSWORD = 'correct horse battery staple';

describe('customer notices on the helpdesk runtime (two schedulers, one Redis, a real SMTP server)', { timeout: 120_000 }, () => {
  const mails: Array<{ to: string[]; from: string; user: string | undefined; raw: string }> = [];
  let smtp: SMTPServer;
  let port: number;
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const contexts: OrchestrationContext[] = [];
  const runtimes: HelpdeskRuntime[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      secure: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
        else callback(new Error('invalid username or password'));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom;
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), from: from === false ? '' : from.address, user: session.user as string | undefined, raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    for (const context of contexts) {
      await context.audit.flush();
      await context.queue.close();
    }
    await redis.quit();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  /** A configuration whose notices go through the `provider-mail` notifier, with the window's batch planned. */
  async function world(name: string, clock: FixedClock): Promise<ResolvedConfig> {
    const prefix = uniquePrefix(name);
    const dir = await mkdtemp(join(tmpdir(), 'redback-scheduled-notices-'));
    const files: Record<string, string> = {
      'redback.yaml': `redis:
  prefix: ${prefix}
policies:
  planner_lead_time: 1m
notifiers:
  - id: provider-mail
    type: email
    smtp_url: smtp://${SMTP_USER}@127.0.0.1:${port}
    password: file:secrets/smtp-password
    from: maintenance@provider.example
    to: [oncall@provider.example]
    events: [incident.opened]
customer_notices:
  enabled: true
  lead_time: 24h
  notifier: provider-mail
`,
      'secrets/smtp-password': `${SMTP_PASSWORD}\n`,
      'inventory/acme.yaml': `customers:
  - id: acme
    name: Acme Logistics B.V.
    timezone: Europe/Amsterdam
    contacts:
      - { name: Sanne de Vries, email: it-ops@acme.example }
      - { name: Night desk, email: night@acme.example }
    contract:
      business_hours: 24x7
      sla:
${[1, 2, 3, 4, 5].map((p) => `        ${p}: { response: 1h, resolution: 1d }`).join('\n')}
hosts:
  - { id: web-01, customer: acme, address: localhost, transport: local, os: debian, groups: [fleet] }
`,
      'playbooks/patch.yaml': 'id: patch\nkind: custom\nos: debian\nsteps:\n  - { name: upgrade, run: "echo upgraded" }\n',
      'schedules/acme.yaml': `customer: acme
timezone: Europe/Amsterdam
windows:
  - id: night
    cron: "0 23 5 1 *"
    duration: 2h
    cutoff: 30m
    lead_time: 2d
    targets: { groups: [fleet] }
    playbooks: [custom]
`,
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const config = await loadConfig({ dir, env: {} });
    const logger = silentLogger();
    const context: OrchestrationContext = { config, redis, prefix, queue: createHostRunQueue(redis, prefix), clock, logger, audit: createAuditWriter(redis, prefix, logger), actor: 'system:scheduler' };
    contexts.push(context);
    expect(await plannerTick(context)).toEqual([BATCH]);
    return config;
  }

  const start = (config: ResolvedConfig, clock: FixedClock, noticeTickMs: number): HelpdeskRuntime => {
    const runtime = startHelpdeskRuntime({ config, redis, logger: silentLogger(), clock, tickMs: 3_600_000, noticeTickMs });
    runtimes.push(runtime);
    return runtime;
  };

  it('reads customer_notices from redback.yaml: lead time, the notifier it borrows the SMTP server from', async () => {
    const clock = new FixedClock('2030-01-04T12:00:00Z');
    const config = await world('notices-config', clock);
    expect(config.settings.customerNotices).toEqual({ enabled: true, leadTimeMs: 24 * 3_600_000, reportLookbackMs: 7 * 86_400_000, notifier: 'provider-mail', smtpUrl: undefined, password: undefined, from: undefined });
  });

  it('two runtimes ticking at the same moment send the notice once, through the notifier\'s SMTP server with its password', async () => {
    const clock = new FixedClock('2030-01-04T12:00:00Z'); // 34 h before the window: outside the 24 h lead time
    const config = await world('notices-race', clock);
    const [a, b] = [start(config, clock, 3_600_000), start(config, clock, 3_600_000)];
    expect([...(await a.tickCustomerNotices()), ...(await b.tickCustomerNotices())]).toEqual([]);
    clock.set('2030-01-05T00:00:00Z'); // 22 h before
    const before = mails.length;
    const [first, second] = await Promise.all([a.tickCustomerNotices(), b.tickCustomerNotices()]);
    expect([...first, ...second]).toEqual([{ kind: 'notice', batchId: BATCH, to: ['it-ops@acme.example', 'night@acme.example'], subject: 'Planned maintenance 5 Jan 2030 23:00: 1 system(s) of Acme Logistics B.V.' }]);
    // Later ticks of either runtime send nothing more.
    expect([...(await a.tickCustomerNotices()), ...(await b.tickCustomerNotices())]).toEqual([]);
    const sent = mails.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ from: 'maintenance@provider.example', user: SMTP_USER });
    expect(sent[0]!.to.sort()).toEqual(['it-ops@acme.example', 'night@acme.example']);
    expect(sent[0]!.raw).toMatch(/^X-Redback-Batch: night@20300105T220000Z$/m);
  });

  it('the runtimes\' own notice tick sends the notice once while two of them run', async () => {
    const clock = new FixedClock('2030-01-05T00:00:00Z'); // inside the lead time from the start
    const config = await world('notices-timer', clock);
    const before = mails.length;
    const [a, b] = [start(config, clock, 50), start(config, clock, 50)];
    await waitFor('the notice from a runtime tick', async () => (mails.length > before ? true : undefined), 30_000, 50);
    // Once it is sent, no runtime sends it again, on its own tick or on an explicit pass.
    expect([...(await a.tickCustomerNotices()), ...(await b.tickCustomerNotices())]).toEqual([]);
    expect(mails.slice(before).map((m) => /^Subject: (.*)$/m.exec(m.raw.slice(0, m.raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' '))?.[1])).toEqual(['Planned maintenance 5 Jan 2030 23:00: 1 system(s) of Acme Logistics B.V.']);
    expect(await redis.get(`${config.settings.redis.prefix}:customer-notice:notice:${BATCH}`)).toMatch(/^sent /);
  });
});

describe('customer_notices validation (zod)', () => {
  const parse = (customerNotices: unknown, notifiers: unknown[] = []) => redbackFileSchema.safeParse({ notifiers, customer_notices: customerNotices });
  const messages = (result: ReturnType<typeof parse>) => result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  const mail = { id: 'provider-mail', type: 'email', smtp_url: 'smtp://mail.example:587', from: 'redback@provider.example' };

  it('is off by default, 48 h lead time, 7 d report lookback', () => {
    expect(redbackFileSchema.parse({}).customerNotices).toMatchObject({ enabled: false, leadTimeMs: 48 * 3_600_000, reportLookbackMs: 7 * 86_400_000 });
  });

  it('takes its own SMTP server with a password reference and a sender', () => {
    const result = parse({ enabled: true, lead_time: '3d', smtp_url: 'smtps://notices@mail.example', password: 'env:SMTP_PASSWORD', from: 'maintenance@provider.example' });
    expect(result.data?.customerNotices).toMatchObject({ enabled: true, leadTimeMs: 3 * 86_400_000, smtpUrl: 'smtps://notices@mail.example', password: 'env:SMTP_PASSWORD', from: 'maintenance@provider.example' });
  });

  it('refuses enabled notices without an SMTP server, smtp_url without from, both notifier and smtp_url, an inline password', () => {
    expect(messages(parse({ enabled: true }))).toEqual(['customer_notices: enabled customer notices need an SMTP server: set smtp_url (and from) or notifier: <id of an email notifier>']);
    expect(messages(parse({ enabled: true, smtp_url: 'smtp://mail.example' }))).toEqual(['customer_notices.from: expected a from address with smtp_url']);
    expect(messages(parse({ enabled: true, smtp_url: 'smtp://mail.example', from: 'a@b.example', notifier: 'provider-mail' }, [mail]))).toEqual(['customer_notices.notifier: expected either notifier or smtp_url, not both']);
    expect(messages(parse({ enabled: true, smtp_url: 'smtp://mail.example', from: 'a@b.example', password: 'hunter2' }))).toEqual(['customer_notices.password: expected a secret reference env:NAME or file:PATH; secrets may not be written inline in config']);
    expect(messages(parse({ enabled: true, lead_time: 'soon', notifier: 'provider-mail' }, [mail]))[0]).toMatch(/^customer_notices\.lead_time: expected .*given "soon"$/);
  });

  it('refuses a notifier that is not an email notifier in notifiers', () => {
    expect(messages(parse({ enabled: true, notifier: 'nobody' }, [mail]))).toEqual(['customer_notices.notifier: expected the id of an email notifier in notifiers (provider-mail), given "nobody"']);
    expect(messages(parse({ enabled: true, notifier: 'hook' }, [{ id: 'hook', type: 'webhook', url: 'https://hooks.example/x' }]))).toEqual(['customer_notices.notifier: expected the id of an email notifier in notifiers (none defined), given "hook" (a webhook notifier)']);
    expect(parse({ enabled: true, notifier: 'provider-mail' }, [mail]).success).toBe(true);
  });
});
