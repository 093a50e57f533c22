import { createTransport } from 'nodemailer';
import type { RedbackSettings } from '../../config/index.js';
import { AppError } from '../../errors.js';
import type { HelpdeskEvent } from '../events.js';
import { renderMessage, slackPayload, teamsPayload } from './messages.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './signature.js';

export type NotifierConfig = RedbackSettings['notifiers'][number];

export interface SendContext {
  /** Resolves `env:`/`file:` references at send time; values are never logged. */
  readSecret(reference: string): string;
  /** Recipients when an e-mail notifier lists none: the customer's contacts. */
  contactEmails(customerId: string): string[];
  consoleUrl?: string;
  /** Unix seconds for the signature timestamp. */
  nowSeconds(): number;
  timeoutMs?: number;
}

/** Delivers one event through one notifier; throws on any failure so the queue retries it. */
export async function sendNotification(notifier: NotifierConfig, event: HelpdeskEvent, deliveryId: string, context: SendContext): Promise<void> {
  switch (notifier.type) {
    case 'webhook': {
      const body = JSON.stringify(event);
      const timestamp = String(context.nowSeconds());
      const headers: Record<string, string> = { 'content-type': 'application/json', [EVENT_HEADER]: event.type, [DELIVERY_HEADER]: deliveryId, [TIMESTAMP_HEADER]: timestamp };
      if (notifier.secret !== undefined) headers[SIGNATURE_HEADER] = signWebhookBody(context.readSecret(notifier.secret), timestamp, body);
      await postJson(notifier.id, notifier.url, body, headers, context.timeoutMs);
      return;
    }
    case 'slack':
    case 'teams': {
      const payload = notifier.type === 'slack' ? slackPayload(event) : teamsPayload(event);
      await postJson(notifier.id, context.readSecret(notifier.url).trim(), JSON.stringify(payload), { 'content-type': 'application/json' }, context.timeoutMs);
      return;
    }
    case 'email': {
      const recipients = notifier.to.length > 0 ? notifier.to : event.customerId === null ? [] : context.contactEmails(event.customerId);
      if (recipients.length === 0) {
        throw new AppError('config-invalid', `notifier ${notifier.id}: no recipients for ${event.type} of ${event.customerId ?? 'no customer'}; set \`to\` in redback.yaml or add contacts to the customer`);
      }
      const message = renderMessage(event, context.consoleUrl);
      const transport = createTransport(smtpOptions(notifier, context));
      try {
        await transport.sendMail({ from: notifier.from, to: recipients, subject: message.subject, text: message.text, headers: { 'X-Redback-Event': event.type, 'X-Redback-Delivery': deliveryId } });
      } finally {
        transport.close();
      }
      return;
    }
  }
}

function smtpOptions(notifier: Extract<NotifierConfig, { type: 'email' }>, context: SendContext) {
  const url = new URL(notifier.smtp_url);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const pass = notifier.password !== undefined ? context.readSecret(notifier.password).trim() : decodeURIComponent(url.password);
  return {
    host: url.hostname,
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    auth: user === '' ? undefined : { user, pass },
    connectionTimeout: context.timeoutMs ?? 10_000,
    greetingTimeout: context.timeoutMs ?? 10_000,
    socketTimeout: context.timeoutMs ?? 10_000,
  };
}

async function postJson(notifierId: string, url: string, body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new AppError('internal', `notifier ${notifierId}: POST to ${new URL(url).origin} failed: ${(error as Error).message}`, { cause: error });
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new AppError('internal', `notifier ${notifierId}: ${new URL(url).origin} answered ${response.status} ${response.statusText}; will retry`);
}
