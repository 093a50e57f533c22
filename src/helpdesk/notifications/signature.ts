import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the notifier's secret, sent as
 * `X-Redback-Signature: sha256=<hex>` next to `X-Redback-Timestamp: <unix seconds>`. Signing the timestamp
 * lets a receiver refuse replays of an old delivery.
 */
export const SIGNATURE_HEADER = 'x-redback-signature';
export const TIMESTAMP_HEADER = 'x-redback-timestamp';
export const EVENT_HEADER = 'x-redback-event';
export const DELIVERY_HEADER = 'x-redback-delivery';

export function signWebhookBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and our tests): constant-time comparison of the header with the expected signature. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signWebhookBody(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
