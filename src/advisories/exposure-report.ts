/** Rows for `redback exposure` and `GET /exposure`: hosts x advisories, per customer, sortable by severity. */
import { urgentFor, type AdvisoryExposure, type AdvisoryStore } from '../store/index.js';
import { SEVERITIES } from './urgency.js';

export interface ExposureRow {
  customerId: string;
  hostId: string;
  advisoryId: string;
  trackingId: string;
  severity: string | null;
  maxCvss: number | null;
  /** Urgent for this row's customer, under its effective policy (contract.urgency over the default). */
  urgent: boolean;
  packageName: string;
  installedVersion: string;
  fixedVersion: string | null;
  /** The problem opened for this advisory and customer (urgent advisories), or null. */
  problemId: string | null;
}

const severityRank = (s: string | null): number => (s === null ? SEVERITIES.length : Math.max(0, SEVERITIES.indexOf(s as (typeof SEVERITIES)[number])));

export async function exposureRows(store: AdvisoryStore, options: { customerId?: string; sort?: 'severity' | 'host' } = {}): Promise<ExposureRow[]> {
  const customers = options.customerId === undefined ? await store.exposedCustomers() : [options.customerId];
  const rows: ExposureRow[] = [];
  const cache = new Map<string, { trackingId: string; severity: string | null; maxCvss: number | null; exposure: AdvisoryExposure | undefined }>();
  for (const customerId of customers) {
    for (const [advisoryId, entries] of await store.customerExposure(customerId)) {
      let info = cache.get(advisoryId);
      if (info === undefined) {
        const [summary, exposure] = await Promise.all([store.summary(advisoryId), store.exposure(advisoryId)]);
        info = { trackingId: summary?.identity.trackingId ?? advisoryId, severity: exposure?.severity ?? null, maxCvss: exposure?.maxCvss ?? null, exposure };
        cache.set(advisoryId, info);
      }
      const problemId = entries.length === 0 ? null : ((await store.actions(advisoryId, customerId))?.problemId ?? null);
      for (const e of entries) rows.push({ customerId, hostId: e.hostId, advisoryId, trackingId: info.trackingId, severity: info.severity, maxCvss: info.maxCvss, urgent: info.exposure === undefined ? false : urgentFor(info.exposure, customerId).urgent, packageName: e.packageName, installedVersion: e.installedVersion, fixedVersion: e.fixedVersion, problemId });
    }
  }
  const byHost = (a: ExposureRow, b: ExposureRow) => a.customerId.localeCompare(b.customerId) || a.hostId.localeCompare(b.hostId) || a.trackingId.localeCompare(b.trackingId) || a.packageName.localeCompare(b.packageName);
  return rows.sort(options.sort === 'severity' ? (a, b) => severityRank(a.severity) - severityRank(b.severity) || (b.maxCvss ?? -1) - (a.maxCvss ?? -1) || byHost(a, b) : byHost);
}
