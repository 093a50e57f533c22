import { DateTime } from 'luxon';
import type { HostOutcome, PlannedHost, PostWindowReport, PreWindowNotice } from './notice-content.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Every value from a record goes through this before it reaches HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A window as the customer's contract states it: in their zone, with the zone named. */
function windowText(start: string, end: string, zone: string): string {
  const from = DateTime.fromISO(start, { zone });
  const to = DateTime.fromISO(end, { zone });
  return `${from.toFormat('cccc d LLLL yyyy, HH:mm')}–${to.toFormat('HH:mm')} (${zone}, UTC${from.toFormat('ZZ')})`;
}

const REBOOT_TEXT: Record<PlannedHost['reboot'], string> = { always: 'will reboot', 'if-needed': 'reboots if an update requires it', never: 'no reboot' };

export function renderPreWindowNotice(notice: PreWindowNotice): RenderedMail {
  const when = windowText(notice.windowStart, notice.windowEnd, notice.timezone);
  const subject = `Planned maintenance ${DateTime.fromISO(notice.windowStart, { zone: notice.timezone }).toFormat('d LLL yyyy HH:mm')}: ${notice.hosts.length} system(s) of ${notice.customerName}`;
  const rebooting = notice.hosts.filter((h) => h.reboot !== 'never').length;
  const advisories = [...new Set(notice.hosts.flatMap((h) => h.advisories))].sort();
  const text = [
    `Dear ${notice.customerName},`,
    '',
    `We will maintain ${notice.hosts.length} of your systems in the agreed maintenance window:`,
    `  ${when}`,
    `Expected reboots: ${rebooting} system(s). Advisories addressed: ${advisories.length === 0 ? 'none recorded' : advisories.join(', ')}.`,
    '',
    ...notice.hosts.flatMap((host) => [
      `${host.hostId} (${REBOOT_TEXT[host.reboot]})`,
      ...(host.updates.length === 0 ? [`  ${host.note ?? 'no updates planned'}`] : host.updates.map((u) => `  ${u.name} ${u.from ?? '(new)'} -> ${u.to}`)),
      ...(host.advisories.length === 0 ? [] : [`  addresses ${host.advisories.join(', ')}`]),
    ]),
    '',
    `Reference: ${notice.batchId}. Reply to this message if the window does not suit you.`,
  ].join('\n');
  const rows = notice.hosts
    .map((host) => {
      const updates = host.updates.length === 0 ? `<em>${escapeHtml(host.note ?? 'no updates planned')}</em>` : host.updates.map((u) => `${escapeHtml(u.name)} ${escapeHtml(u.from ?? '(new)')} &rarr; <strong>${escapeHtml(u.to)}</strong>`).join('<br>');
      return `<tr><td style="${CELL}"><strong>${escapeHtml(host.hostId)}</strong></td><td style="${CELL}">${updates}</td><td style="${CELL}">${escapeHtml(REBOOT_TEXT[host.reboot])}</td><td style="${CELL}">${escapeHtml(host.advisories.join(', ') || '—')}</td></tr>`;
    })
    .join('');
  const html = page(
    subject,
    `<p>Dear ${escapeHtml(notice.customerName)},</p>
<p>We will maintain <strong>${notice.hosts.length}</strong> of your systems in the agreed maintenance window:<br><strong>${escapeHtml(when)}</strong></p>
<p>Expected reboots: <strong>${rebooting}</strong> system(s). Advisories addressed: ${escapeHtml(advisories.join(', ') || 'none recorded')}.</p>
<table style="border-collapse:collapse;width:100%"><tr>${['System', 'Planned updates', 'Reboot', 'Advisories'].map((h) => `<th style="${HEAD}">${h}</th>`).join('')}</tr>${rows}</table>
<p style="color:#555">Reference: ${escapeHtml(notice.batchId)}. Reply to this message if the window does not suit you.</p>`,
  );
  return { subject, text, html };
}

const OUTCOME_TEXT: Record<string, string> = { succeeded: 'maintained successfully', failed: 'failed', deferred: 'moved to the next window', skipped: 'not maintained', interrupted: 'interrupted' };

function outcomeText(host: HostOutcome): string {
  const base = OUTCOME_TEXT[host.state] ?? host.state;
  return host.state === 'succeeded' ? base : `${base}${host.failureClass === null ? '' : ` (${host.failureClass})`}${host.reason === null ? '' : `: ${host.reason}`}`;
}

export function renderPostWindowReport(report: PostWindowReport): RenderedMail {
  const when = windowText(report.windowStart, report.windowEnd, report.timezone);
  const ok = report.hosts.filter((h) => h.state === 'succeeded').length;
  const subject = `Maintenance report ${DateTime.fromISO(report.windowStart, { zone: report.timezone }).toFormat('d LLL yyyy')}: ${ok} of ${report.hosts.length} system(s) maintained${report.incidents.length === 0 ? '' : `, incident ${report.incidents.map((i) => i.id).join(', ')}`}`;
  const text = [
    `Dear ${report.customerName},`,
    '',
    `Maintenance window ${when} has ended: ${ok} of ${report.hosts.length} system(s) maintained successfully.`,
    '',
    ...report.hosts.map((host) => `  ${host.hostId}: ${outcomeText(host)}`),
    '',
    report.incidents.length === 0 ? 'No incidents were opened.' : 'We opened these incidents and are working on them:',
    ...report.incidents.map((i) => `  ${i.id} (P${i.priority}, ${i.status}): ${i.title}`),
    '',
    `Reference: ${report.batchId}.`,
  ].join('\n');
  const rows = report.hosts
    .map((host) => `<tr><td style="${CELL}"><strong>${escapeHtml(host.hostId)}</strong></td><td style="${CELL};color:${host.state === 'succeeded' ? '#1a7f37' : host.state === 'failed' ? '#cf222e' : '#555'}">${escapeHtml(outcomeText(host))}</td></tr>`)
    .join('');
  const incidents = report.incidents.length === 0 ? '<p>No incidents were opened.</p>' : `<p>We opened these incidents and are working on them:</p><ul>${report.incidents.map((i) => `<li><strong>${escapeHtml(i.id)}</strong> (P${i.priority}, ${escapeHtml(i.status)}): ${escapeHtml(i.title)}</li>`).join('')}</ul>`;
  const html = page(
    subject,
    `<p>Dear ${escapeHtml(report.customerName)},</p>
<p>Maintenance window <strong>${escapeHtml(when)}</strong> has ended: <strong>${ok} of ${report.hosts.length}</strong> system(s) maintained successfully.</p>
<table style="border-collapse:collapse;width:100%"><tr><th style="${HEAD}">System</th><th style="${HEAD}">Outcome</th></tr>${rows}</table>
${incidents}
<p style="color:#555">Reference: ${escapeHtml(report.batchId)}.</p>`,
  );
  return { subject, text, html };
}

// Inline styles: most mail clients drop <style> blocks.
const CELL = 'border:1px solid #d0d7de;padding:6px 8px;vertical-align:top;text-align:left';
const HEAD = `${CELL};background:#f6f8fa`;

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2328">${body}</body></html>`;
}
