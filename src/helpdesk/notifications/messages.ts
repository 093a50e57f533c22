import type { HelpdeskEvent } from '../events.js';

/** What a person reads in an e-mail or chat message about one helpdesk event. */
export interface RenderedMessage {
  subject: string;
  text: string;
}

export function renderMessage(event: HelpdeskEvent, consoleUrl?: string): RenderedMessage {
  const record = (event.data.incident ?? event.data.problem) as Record<string, unknown> | undefined;
  const lines = [event.summary, ''];
  if (record !== undefined) {
    for (const field of ['id', 'customerId', 'status', 'priority', 'impact', 'urgency', 'category', 'assignee', 'hosts']) {
      const value = record[field];
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
      lines.push(`${field.padEnd(11)} ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
    const sla = record.sla as { responseDueAt?: string | null; resolutionDueAt?: string | null } | undefined;
    if (sla?.responseDueAt) lines.push(`${'response by'.padEnd(11)} ${sla.responseDueAt}`);
    if (sla?.resolutionDueAt) lines.push(`${'resolve by'.padEnd(11)} ${sla.resolutionDueAt}`);
  }
  lines.push('', `event ${event.type} at ${event.at}`);
  if (consoleUrl !== undefined) lines.push(`${consoleUrl.replace(/\/$/, '')}/${event.subject}`);
  return { subject: `[redback] ${event.summary}`.slice(0, 200), text: `${lines.join('\n')}\n` };
}

/** Slack incoming-webhook body: plain `text` plus one section block. */
export function slackPayload(event: HelpdeskEvent): Record<string, unknown> {
  const { subject, text } = renderMessage(event);
  return { text: subject, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${event.summary}*\n\`\`\`${text}\`\`\`` } }] };
}

/** Microsoft Teams incoming-webhook body (MessageCard). */
export function teamsPayload(event: HelpdeskEvent): Record<string, unknown> {
  const { text } = renderMessage(event);
  const urgent = event.type.includes('breach') || /\(P[12]\)/.test(event.summary);
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: event.summary,
    themeColor: urgent ? 'D70000' : '0078D7',
    title: event.summary,
    text: text.replace(/\n/g, '<br>'),
  };
}
