import { z } from 'zod';
import { LEVELS } from '../domain/priority.js';
import { AppError } from '../errors.js';
import { INTAKE_CATEGORIES, type IncidentRecord } from '../store/incidents.js';
import type { IncidentService } from './incident-service.js';

/**
 * A generic monitoring webhook body. `key` identifies the alert (check + host, for example); while an
 * incident for that key is open, repeats are counted on it instead of opening new incidents.
 */
export const monitoringAlertSchema = z.strictObject({
  key: z.string().min(1).max(200),
  customer: z.string().min(1),
  title: z.string().min(1),
  status: z.enum(['firing', 'resolved']).default('firing'),
  category: z.enum(INTAKE_CATEGORIES).default('other'),
  impact: z.enum(LEVELS).default('medium'),
  urgency: z.enum(LEVELS).default('medium'),
  hosts: z.array(z.string().min(1)).default([]),
  detail: z.string().optional(),
});
export type MonitoringAlert = z.input<typeof monitoringAlertSchema>;

export type IntakeResult =
  | { kind: 'opened' | 'repeated' | 'noted'; incident: IncidentRecord }
  | { kind: 'ignored'; reason: string };

const ACTOR = 'system:monitoring';

/** Takes one alert (already parsed JSON); throws an `input-invalid` error that names every wrong field. */
export async function ingestMonitoringAlert(incidents: IncidentService, body: unknown): Promise<IntakeResult> {
  const parsed = monitoringAlertSchema.safeParse(body);
  if (!parsed.success) {
    throw new AppError('input-invalid', `monitoring alert: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  }
  const alert = parsed.data;
  const dedupeKey = `alert/${alert.key}`;
  const open = await incidents.repository.findOpenByDedupeKey(dedupeKey);
  if (alert.status === 'resolved') {
    if (open === undefined) return { kind: 'ignored', reason: `no open incident for alert ${alert.key}` };
    // Monitoring saying "ok" is evidence, not a fix: an engineer confirms and resolves.
    const incident = await incidents.change(open.id, ACTOR, 'incident.alert-cleared', 'incident.updated', (record) => ({ record, text: `monitoring reports alert ${alert.key} resolved` }));
    return { kind: 'noted', incident };
  }
  const now = incidents.now().toISOString();
  const { record, created } = await incidents.open(
    {
      customerId: alert.customer,
      title: alert.title,
      source: 'monitoring',
      category: alert.category,
      impact: alert.impact,
      urgency: alert.urgency,
      hosts: alert.hosts,
      dedupeKey,
      alert: { key: alert.key, count: 1, lastAt: now },
    },
    ACTOR,
  );
  if (created) return { kind: 'opened', incident: record };
  const incident = await incidents.change(record.id, ACTOR, 'incident.alert-repeated', 'incident.updated', (current) => {
    const count = (current.alert?.count ?? 0) + 1;
    return { record: { ...current, alert: { key: alert.key, count, lastAt: now } }, text: `alert ${alert.key} fired again (${count} times)${alert.detail === undefined ? '' : `: ${alert.detail}`}` };
  });
  return { kind: 'repeated', incident };
}
