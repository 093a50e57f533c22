import type { Command } from 'commander';
import {
  advisoryServices,
  approveEmergencyBatch,
  documentsOf,
  exposureRows,
  ingestDocument,
  moveEmergencyBatch,
  refreshExposure,
  startFeedPolling,
  watchDropFolder,
  type Advisory,
  type IngestResult,
} from '../../../advisories/index.js';
import { AppError } from '../../../errors.js';
import { AS_OPTION_HELP, auditTokenWrite, print, requireRole, withActingUser, type ActingSession } from '../acting-user.js';

const CONFIG_HELP = 'configuration directory (default: $REDBACK_CONFIG, else the current directory)';

function ingestLine(result: IngestResult, json: boolean): string {
  if (json) return JSON.stringify({ source: result.source, status: result.status, id: result.id, revision: result.revision, errors: result.errors });
  const head = `${result.status.padEnd(13)} ${result.id ?? '-'}  ${result.revision ?? ''}  ${result.source}`;
  const errors = result.errors.map((e) => `    ${e.test === null ? '' : `[${e.test}] `}${e.path}: ${e.message}`);
  const notes = (result.notes ?? []).map((n) => `    ${n}`);
  return [head, ...errors, ...notes].join('\n');
}

async function whenWriting(session: ActingSession, what: string): Promise<void> {
  requireRole(session, ['engineer', 'admin'], what);
  await auditTokenWrite(session, what);
}

/** Keeps a long-running command alive until SIGINT/SIGTERM, then runs `stop`. */
async function untilSignal(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await stop();
}

export function registerAdvisoriesCommand(program: Command): void {
  const advisories = program.command('advisories').description('Vendor advisories (CSAF 2.0, OSV, CISA KEV): ingest, list, show, watch a drop folder, poll feeds');

  advisories
    .command('ingest <sources...>')
    .description('Ingest advisory files, directories (*.json) or URLs (a CSAF provider-metadata.json or ROLIE feed is followed); exit 1 if any was refused')
    .option('--config <dir>', CONFIG_HELP)
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'one JSON object per document: { source, status, id, revision, errors }')
    .action(async (sources: string[], options: { config?: string; as?: string; json?: boolean }) => {
      await withActingUser(options, async (session) => {
        await whenWriting(session, 'ingest advisories');
        const services = advisoryServices(session.context);
        let refusedAny = false;
        for (const source of sources) {
          for await (const item of documentsOf(services, source)) {
            const result = 'failed' in item ? item.failed : await ingestDocument(services, item.input, { actor: session.principal.name });
            if (result.status === 'refused') refusedAny = true;
            print(ingestLine(result, options.json === true));
          }
        }
        if (refusedAny) process.exitCode = 1;
      });
    });

  advisories
    .command('list')
    .description('Stored advisories, newest release first, with their exposure')
    .option('--config <dir>', CONFIG_HELP)
    .option('--json', 'print JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      await withActingUser(options, async ({ context }) => {
        const services = advisoryServices(context);
        const rows = [];
        for (const summary of await services.store.list()) {
          const exposure = await services.store.exposure(summary.id);
          // Urgent when it is for at least one exposed customer (each under its own policy); with none exposed, by the default policy.
          const decisions = Object.entries(exposure?.customerUrgency ?? {});
          const urgentForCustomers = decisions.filter(([, d]) => d.urgent).map(([customerId]) => customerId);
          rows.push({ ...summary, urgent: decisions.length === 0 ? (exposure?.urgent ?? false) : urgentForCustomers.length > 0, urgentFor: urgentForCustomers, severity: exposure?.severity ?? null, maxCvss: exposure?.maxCvss ?? null, exposedHosts: new Set(exposure?.affected.map((e) => e.hostId)).size, needsReview: exposure?.needsReview.length ?? 0 });
        }
        if (options.json === true) return print(JSON.stringify(rows, null, 2));
        print(['ID'.padEnd(34), 'TRACKING ID'.padEnd(22), 'REVISION'.padEnd(22), 'SEVERITY'.padEnd(9), 'CVSS', 'URGENT', 'HOSTS', 'TITLE'].join('  '));
        for (const r of rows) print([r.id.padEnd(34), r.identity.trackingId.padEnd(22), r.revision.version.padEnd(22), (r.severity ?? '-').padEnd(9), (r.maxCvss?.toFixed(1) ?? '-').padEnd(4), (r.urgent ? 'yes' : 'no').padEnd(6), String(r.exposedHosts).padEnd(5), r.title].join('  '));
      });
    });

  advisories
    .command('show <id>')
    .description('One advisory (storage id or tracking id): summary, exposure (affected hosts, needs review, remediation) and actions')
    .option('--config <dir>', CONFIG_HELP)
    .option('--json', 'print JSON (summary, model, exposure)')
    .option('--raw', 'print the stored raw document')
    .action(async (id: string, options: { config?: string; json?: boolean; raw?: boolean }) => {
      await withActingUser(options, async ({ context }) => {
        const services = advisoryServices(context);
        const ids = await services.store.resolve(id);
        if (ids.length === 0) throw new AppError('not-found', `no stored advisory ${JSON.stringify(id)}; list them with \`redback advisories list\``);
        if (ids.length > 1) throw new AppError('input-invalid', `${id} names ${ids.length} advisories from different publishers: ${ids.join(', ')}; give the storage id`);
        const stored = (await services.store.get<Advisory>(ids[0]!))!;
        if (options.raw === true) return void process.stdout.write(stored.raw);
        const exposure = await services.store.exposure(stored.summary.id);
        if (options.json === true) return print(JSON.stringify({ summary: stored.summary, exposure: exposure ?? null, model: stored.model }, null, 2));
        const s = stored.summary;
        const lines = [
          `${s.identity.trackingId}  ${s.title}`,
          `  id          ${s.id}`,
          `  publisher   ${s.identity.publisher}`,
          `  format      ${s.format}, revision ${s.revision.version} (${s.revision.status}) of ${s.revision.releasedAt}; ${s.revisionsStored} revision(s) stored`,
          `  CVEs        ${s.cves.join(', ') || '-'}`,
          `  severity    ${exposure?.severity ?? '-'}${exposure?.maxCvss === null || exposure === undefined ? '' : `, CVSS ${exposure.maxCvss.toFixed(1)}`}${exposure?.urgent === true ? `; urgent by the default policy: ${exposure.urgencyReasons.join('; ')}` : ''}`,
          ...Object.entries(exposure?.customerUrgency ?? {}).map(([customerId, d]) => `  ${`for ${customerId}`.padEnd(11)} ${d.urgent ? `URGENT: ${d.reasons.join('; ')}` : 'not urgent'}${d.overridden.length === 0 ? '' : ` (contract overrides ${d.overridden.join(', ')})`}`),
          `  stored      ${s.storedAt} by ${s.storedBy} from ${s.source}`,
          '',
          'Affected hosts',
          ...(exposure?.affected ?? []).map((e) => `  ${e.hostId.padEnd(16)} ${(e.customerId ?? '-').padEnd(10)} ${e.packageName} ${e.installedVersion} -> ${e.fixedVersion ?? 'no fix (alert)'}`),
          'Needs review',
          ...(exposure?.needsReview ?? []).map((r) => `  ${(r.hostId ?? '(advisory)').padEnd(16)} ${r.packageName ?? r.productId ?? ''}: ${r.reason}`),
          'Remediation',
          ...(exposure?.remediation ?? []).map((r) => `  update ${r.packageName}${r.arch === null ? '' : `:${r.arch}`} to ${r.fixedVersion} or later on ${r.hostIds.join(', ')}`),
        ];
        print(lines.join('\n'));
      });
    });

  advisories
    .command('watch <dir>')
    .description('Watch a drop folder: ingest every *.json put there, then move it to done/ or refused/ (with <name>.reason.txt)')
    .option('--config <dir>', CONFIG_HELP)
    .option('--as <user>', AS_OPTION_HELP)
    .option('--json', 'one JSON line per document')
    .option('--once', 'process what is there now and exit')
    .action(async (dir: string, options: { config?: string; as?: string; json?: boolean; once?: boolean }) => {
      await withActingUser(options, async (session) => {
        await whenWriting(session, 'watch an advisory drop folder');
        const folder = watchDropFolder(advisoryServices(session.context), dir, { actor: session.principal.name, onResult: (r) => print(ingestLine(r, options.json === true)) });
        if (options.once === true) {
          await folder.scan();
          await folder.stop();
          return;
        }
        await folder.scan();
        await untilSignal(() => folder.stop());
      });
    });

  advisories
    .command('poll <urls...>')
    .description('Poll advisory feed URLs on a schedule with ETag / If-Modified-Since (CSAF provider-metadata.json, ROLIE feeds, or single documents)')
    .option('--config <dir>', CONFIG_HELP)
    .option('--as <user>', AS_OPTION_HELP)
    .option('--cron <expr>', 'when to poll (node-cron, 5 or 6 fields)', '*/15 * * * *')
    .option('--json', 'one JSON line per document')
    .action(async (urls: string[], options: { config?: string; as?: string; cron: string; json?: boolean }) => {
      await withActingUser(options, async (session) => {
        await whenWriting(session, 'poll advisory feeds');
        const poller = startFeedPolling(advisoryServices(session.context), urls, {
          actor: session.principal.name,
          cron: options.cron,
          onPoll: (poll) => {
            if (poll.notModified && options.json !== true) print(`not-modified  ${poll.url}`);
            for (const r of poll.results) print(ingestLine(r, options.json === true));
          },
        });
        await untilSignal(() => poller.stop());
      });
    });

  advisories
    .command('approve-emergency <batch>')
    .description('Approve an emergency preventive batch as the second engineer (after another engineer ran `batches request-approval`)')
    .option('--config <dir>', CONFIG_HELP)
    .option('--as <user>', AS_OPTION_HELP)
    .requiredOption('--reason <text>', 'why the emergency window is justified (for the audit trail)')
    .action(async (batchId: string, options: { config?: string; as?: string; reason: string }) => {
      await withActingUser(options, async (session) => {
        await auditTokenWrite(session, 'approve an emergency batch');
        await approveEmergencyBatch(session.context, batchId, session.principal, options.reason);
        print(`Emergency batch ${batchId} approved by ${session.principal.name}; it starts at once.`);
      });
    });

  advisories
    .command('move-emergency <batch>')
    .description('Move an emergency preventive batch that has not started to another start (same hosts, packages and due time); approvals given so far are void')
    .option('--config <dir>', CONFIG_HELP)
    .option('--as <user>', AS_OPTION_HELP)
    .requiredOption('--to <instant>', 'the new start: ISO 8601 with a zone (2030-01-06T22:00:00Z, 2030-01-06T23:00+01:00) or "now"')
    .option('--reason <text>', 'why (for the audit trail); required with --past-due')
    .option('--past-due', "allow a start at or after the contract's due time")
    .option('--json', 'print the result as JSON')
    .action(async (batchId: string, options: { config?: string; as?: string; to: string; reason?: string; pastDue?: boolean; json?: boolean }) => {
      const to = parseInstant(options.to);
      await withActingUser(options, async (session) => {
        await whenWriting(session, 'move an emergency batch');
        const result = await moveEmergencyBatch(session.context, batchId, session.principal, { to: to ?? session.context.clock.now(), ...(options.reason === undefined ? {} : { reason: options.reason }), pastDue: options.pastDue === true });
        if (options.json === true) return print(JSON.stringify(result, null, 2));
        if (!result.changed) return print(`Emergency batch ${result.batchId} already starts at ${result.windowStart}; nothing changed.`);
        print([
          `Emergency batch ${result.from} moved to ${result.batchId}`,
          `  window      ${result.windowStart} .. ${result.windowEnd} (cutoff ${result.cutoffAt})`,
          `  due         ${result.dueAt}${result.pastDue ? ' (PAST DUE: the window starts after the contract\'s due time)' : ''}`,
          `  approvals   void${result.voidedRequester === null && result.voidedApprovers.length === 0 ? ' (none given yet)' : `: accepted by ${result.voidedRequester ?? '-'}, approved by ${result.voidedApprovers.join(', ') || '-'}`}`,
          `  next        an engineer accepts it (redback batches request-approval ${result.batchId}), a second approves it (redback advisories approve-emergency ${result.batchId} --reason TEXT)`,
        ].join('\n'));
      });
    });
}

/** `--to`: an ISO 8601 instant with a zone (a bare local time would depend on the machine), or "now" (undefined). */
function parseInstant(text: string): Date | undefined {
  if (text.trim().toLowerCase() === 'now') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim()) || Number.isNaN(Date.parse(text))) {
    throw new AppError('input-invalid', `--to: expected an ISO 8601 instant with a zone such as 2030-01-06T22:00:00Z or 2030-01-06T23:00+01:00, or "now"; given ${JSON.stringify(text)}`);
  }
  return new Date(Date.parse(text));
}

export function registerExposureCommand(program: Command): void {
  program
    .command('exposure')
    .description('Hosts x advisories: which hosts are exposed to which stored advisory, per customer')
    .option('--config <dir>', CONFIG_HELP)
    .option('--customer <id>', 'only this customer')
    .option('--sort <key>', 'severity (most severe first) or host', 'host')
    .option('--refresh', 're-match every stored advisory against the current inventory first (and act on new exposure)')
    .option('--json', 'print JSON rows')
    .action(async (options: { config?: string; customer?: string; sort: string; refresh?: boolean; json?: boolean }) => {
      if (options.sort !== 'severity' && options.sort !== 'host') throw new AppError('input-invalid', `--sort: expected severity or host, given ${JSON.stringify(options.sort)}`);
      await withActingUser(options, async (session) => {
        const services = advisoryServices(session.context);
        if (options.refresh === true) await refreshExposure(services, session.principal.name);
        const rows = await exposureRows(services.store, { ...(options.customer === undefined ? {} : { customerId: options.customer }), sort: options.sort as 'severity' | 'host' });
        if (options.json === true) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print('No exposed hosts.');
        print(['CUSTOMER'.padEnd(10), 'HOST'.padEnd(16), 'ADVISORY'.padEnd(22), 'SEVERITY'.padEnd(9), 'CVSS', 'URGENT', 'PACKAGE', 'INSTALLED', 'FIXED'].join('  '));
        for (const r of rows) print([r.customerId.padEnd(10), r.hostId.padEnd(16), r.trackingId.padEnd(22), (r.severity ?? '-').padEnd(9), (r.maxCvss?.toFixed(1) ?? '-').padEnd(4), (r.urgent ? 'yes' : 'no').padEnd(6), r.packageName, r.installedVersion, r.fixedVersion ?? 'no fix'].join('  '));
      });
    });
}
