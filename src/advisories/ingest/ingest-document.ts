/**
 * Ingests one document: parse (limits, schema, mandatory tests) into the normalised model or refuse it whole; decide
 * against the stored revision (newer replaces, older or same is ignored); store summary, model and raw bytes in one
 * atomic write; then match it against the stored inventory and act. The KEV catalog is recognised and stored as
 * the KEV table instead. Every decision is counted (`redback_advisory_ingests_total`) and audited.
 */
import { advisoryStorageId, type AdvisorySummary } from '../../store/index.js';
import { advisoryIngestsTotal } from '../../platform/metrics.js';
import { parseAdvisory } from '../detect.js';
import { parseKevCatalog } from '../kev/catalog.js';
import type { Advisory } from '../model.js';
import { AdvisoryRefusedError } from '../problems.js';
import { decideRevision } from '../revision.js';
import { matchAndAct } from '../exposure.js';
import type { AdvisoryServices } from '../services.js';
import { refused, type IngestResult } from './result.js';

export interface IngestInput {
  /** File path, URL or `api`: shown in results and stored with the advisory. */
  source: string;
  bytes: Uint8Array;
  /** For the CSAF file-name rule (§5.1); omit when the name is not the publisher's (uploads). */
  fileName?: string;
}

export interface IngestOptions {
  actor: string;
  /** Match and act after storing (default true). */
  act?: boolean;
}

const MAX_STORE_ATTEMPTS = 5;

export async function ingestDocument(services: AdvisoryServices, input: IngestInput, options: IngestOptions): Promise<IngestResult> {
  const head = Buffer.from(input.bytes.subarray(0, 4096)).toString('utf8');
  if (/"catalogVersion"\s*:/.test(head) && !/"document"\s*:/.test(head)) return await ingestKev(services, input, options.actor);

  let advisory: Advisory;
  try {
    advisory = parseAdvisory(input.bytes, { source: input.source, ...(input.fileName === undefined ? {} : { fileName: input.fileName }), ...(services.limits === undefined ? {} : { limits: services.limits }) });
  } catch (error) {
    if (!(error instanceof AdvisoryRefusedError)) throw error;
    advisoryIngestsTotal.inc({ format: 'unknown', outcome: 'refused' });
    const first = error.problems[0];
    await services.context.audit.record({ actor: options.actor, action: 'advisory.refused', subject: `advisory-source/${input.source}`, before: null, after: { problems: error.problems.length, first: first ?? null }, reason: first === undefined ? 'refused' : `${first.test === undefined ? '' : `[${first.test}] `}${first.path}: ${first.message}`, at: services.context.clock.now() });
    return refused(input.source, error.problems);
  }

  const id = advisoryStorageId(advisory.identity);
  const { store, context } = services;
  for (let attempt = 1; attempt <= MAX_STORE_ATTEMPTS; attempt += 1) {
    const stored = await store.storedRevision(id);
    const decision = decideRevision(advisory.format, stored as Advisory['revision'] | undefined, advisory.revision);
    const base = { source: input.source, id, revision: advisory.revision.version, errors: [] };
    const now = context.clock.now();
    if (decision === 'ignore-older' || decision === 'ignore-same') {
      advisoryIngestsTotal.inc({ format: advisory.format, outcome: 'ignored-older' });
      const reason = decision === 'ignore-same' ? `the same revision (${advisory.revision.version}) is stored already` : `older than the stored revision ${stored?.version ?? ''} (${stored?.releasedAt ?? ''})`;
      await context.audit.record({ actor: options.actor, action: 'advisory.ignored', subject: `advisory/${id}`, before: stored ?? null, after: advisory.revision, reason, at: now });
      return { ...base, status: 'ignored-older', notes: [reason] };
    }
    const previous = decision === 'replace' ? await store.summary(id) : undefined;
    const summary: AdvisorySummary = {
      id,
      identity: advisory.identity,
      format: advisory.format,
      revision: advisory.revision,
      title: advisory.title,
      severityText: advisory.severityText ?? null,
      cves: advisory.cves,
      source: input.source,
      storedAt: now.toISOString(),
      storedBy: options.actor,
      revisionsStored: (previous?.revisionsStored ?? 0) + 1,
    };
    const raw = Buffer.from(input.bytes).toString('utf8');
    if (!(await store.put(stored, { summary, model: advisory, raw }))) continue; // another writer got there first: decide again
    const status = decision === 'replace' ? 'updated' : 'stored';
    advisoryIngestsTotal.inc({ format: advisory.format, outcome: status });
    await context.audit.record({ actor: options.actor, action: `advisory.${status}`, subject: `advisory/${id}`, before: stored ?? null, after: { ...advisory.revision, trackingId: advisory.identity.trackingId, publisher: advisory.identity.publisher, source: input.source }, at: now });
    const notes = options.act === false ? [] : (await matchAndAct(services, id, advisory, options.actor)).notes;
    return { ...base, status, notes };
  }
  throw new Error(`advisory ${id}: the stored revision kept changing under ${MAX_STORE_ATTEMPTS} attempts; try again`);
}

async function ingestKev(services: AdvisoryServices, input: IngestInput, actor: string): Promise<IngestResult> {
  const now = services.context.clock.now();
  try {
    const catalog = parseKevCatalog(input.bytes, { source: input.source, ...(services.limits === undefined ? {} : { limits: services.limits }) });
    const id = `kev-${catalog.catalogVersion.replace(/[^A-Za-z0-9.-]/g, '_')}`;
    const stored = await services.store.kevVersion();
    const base = { source: input.source, id, revision: catalog.catalogVersion, errors: [] };
    if (stored !== undefined && stored >= catalog.catalogVersion) {
      advisoryIngestsTotal.inc({ format: 'kev', outcome: 'ignored-older' });
      await services.context.audit.record({ actor, action: 'advisory.ignored', subject: 'kev/catalog', before: { catalogVersion: stored }, after: { catalogVersion: catalog.catalogVersion }, reason: 'not newer than the stored KEV catalog', at: now });
      return { ...base, status: 'ignored-older' };
    }
    await services.store.saveKev(catalog.catalogVersion, catalog.byCve);
    const status = stored === undefined ? 'stored' : 'updated';
    advisoryIngestsTotal.inc({ format: 'kev', outcome: status });
    await services.context.audit.record({ actor, action: `advisory.kev-${status}`, subject: 'kev/catalog', before: stored === undefined ? null : { catalogVersion: stored }, after: { catalogVersion: catalog.catalogVersion, entries: catalog.byCve.size }, at: now });
    return { ...base, status, notes: [`${catalog.byCve.size} KEV entries; re-assess stored advisories with \`redback exposure --refresh\``] };
  } catch (error) {
    if (!(error instanceof AdvisoryRefusedError)) throw error;
    advisoryIngestsTotal.inc({ format: 'kev', outcome: 'refused' });
    await services.context.audit.record({ actor, action: 'advisory.refused', subject: `advisory-source/${input.source}`, before: null, after: { problems: error.problems.length }, reason: error.problems[0]?.message ?? 'refused', at: now });
    return refused(input.source, error.problems);
  }
}
