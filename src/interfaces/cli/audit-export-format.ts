import type { AuditEntry } from '../../store/index.js';

/**
 * The two export formats for an auditor. Both carry every field, including `prevHash` and `hash`, so each entry
 * can be checked on its own (see docs/releases.md); `before` and `after` stay JSON text in the CSV.
 */
export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'subject', 'customerId', 'before', 'after', 'reason', 'prevHash', 'hash'] as const;

export function auditJsonLine(entry: AuditEntry): string {
  return JSON.stringify(entry);
}

export function auditCsvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',');
}

export function auditCsvRow(entry: AuditEntry): string {
  const cells = [entry.id, entry.at, entry.actor, entry.action, entry.subject, entry.customerId ?? '', JSON.stringify(entry.before), JSON.stringify(entry.after), entry.reason ?? '', entry.prevHash, entry.hash];
  return cells.map(csvCell).join(',');
}

/** RFC 4180: quote a cell with a comma, quote or line break, doubling inner quotes. A leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
