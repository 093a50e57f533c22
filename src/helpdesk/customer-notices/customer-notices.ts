import type { Redis } from 'ioredis';
import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ResolvedConfig } from '../../config/index.js';
import { isFinalBatchStatus } from '../../domain/index.js';
import type { Clock } from '../../platform/clock.js';
import { listBatches, type BatchRecord } from '../../store/index.js';
import { collectPostWindowReport, collectPreWindowNotice, type AdvisoryLookup } from './collect-notices.js';
import { renderPostWindowReport, renderPreWindowNotice, type RenderedMail } from './render-notices.js';

export interface CustomerNoticeOptions {
  redis: Redis;
  prefix: string;
  config: ResolvedConfig;
  clock: Clock;
  /** How long before a window's start its notice goes out. */
  noticeLeadMs: number;
  /** SMTP server as a URL (`smtp://user:pass@host:587`, `smtps://…`), as the helpdesk's e-mail notifiers take it. */
  smtpUrl: string;
  /** The SMTP password (already read from its secret reference); replaces one written in the URL. */
  smtpPassword?: string;
  from: string;
  advisoriesFor?: AdvisoryLookup;
  /** Reports are sent for windows that ended at most this long ago (so a new installation does not mail history). */
  reportLookbackMs?: number;
}

export interface SentNotice {
  kind: 'notice' | 'report';
  batchId: string;
  to: string[];
  subject: string;
}

/** A claim on one mail lasts this long; a crashed sender's claim then lapses and another replica sends it. */
const CLAIM_TTL_SECONDS = 300;
const NO_NOTICE_FOR: ReadonlySet<string> = new Set(['cancelled', 'expired']);

/**
 * Customer notices: an e-mail to the customer's contacts `noticeLeadMs` before each window (hosts, planned
 * updates, expected reboots, advisories addressed) and a report after it (each host's outcome, the incidents).
 * `tick()` is idempotent and safe on several replicas: each mail is claimed in Redis before it is sent and marked
 * sent after; a failed send drops the claim, so the next tick tries again.
 */
export class CustomerNotices {
  readonly #options: CustomerNoticeOptions;

  constructor(options: CustomerNoticeOptions) {
    this.#options = options;
  }

  async tick(): Promise<SentNotice[]> {
    const { redis, prefix, clock, noticeLeadMs } = this.#options;
    const now = clock.now().getTime();
    const sent: SentNotice[] = [];
    const upcoming = await listBatches(redis, prefix, { from: new Date(now), to: new Date(now + noticeLeadMs), limit: 1000 });
    for (const batch of upcoming) {
      if (NO_NOTICE_FOR.has(batch.status)) continue;
      const mail = await this.#sendOnce('notice', batch, async () => renderPreWindowNotice(await collectPreWindowNotice(redis, prefix, this.#options.config, batch, this.#options.advisoriesFor ?? (() => []))));
      if (mail !== undefined) sent.push(mail);
    }
    const lookback = this.#options.reportLookbackMs ?? 7 * 86_400_000;
    // A window's batch is indexed by its start; a window that ended since the lookback started before it by at most its length.
    const recent = await listBatches(redis, prefix, { from: new Date(now - lookback - 86_400_000), to: new Date(now), limit: 1000 });
    for (const batch of recent) {
      const ended = Date.parse(batch.windowEnd);
      if (ended > now || ended < now - lookback || !isFinalBatchStatus(batch.status) || batch.status === 'cancelled') continue;
      const mail = await this.#sendOnce('report', batch, async () => renderPostWindowReport(await collectPostWindowReport(redis, prefix, this.#options.config, batch)));
      if (mail !== undefined) sent.push(mail);
    }
    return sent;
  }

  async #sendOnce(kind: SentNotice['kind'], batch: BatchRecord, render: () => Promise<RenderedMail>): Promise<SentNotice | undefined> {
    const { redis, prefix } = this.#options;
    const key = `${prefix}:customer-notice:${kind}:${batch.id}`;
    if ((await redis.set(key, 'sending', 'EX', CLAIM_TTL_SECONDS, 'NX')) !== 'OK') return undefined;
    try {
      const to = this.#options.config.customers.find((c) => c.id === batch.customerId)?.contacts.map((c) => c.email) ?? [];
      if (to.length === 0) {
        await redis.set(key, 'no-contacts');
        return undefined;
      }
      const mail = await render();
      await this.#send(to, mail, { kind, batchId: batch.id });
      await redis.set(key, `sent ${new Date().toISOString()}`);
      return { kind, batchId: batch.id, to, subject: mail.subject };
    } catch (error) {
      await redis.del(key);
      throw error;
    }
  }

  async #send(to: string[], mail: RenderedMail, meta: { kind: string; batchId: string }): Promise<void> {
    const transport = createTransport(smtpTransportOptions(this.#options.smtpUrl, this.#options.smtpPassword));
    try {
      await transport.sendMail({ from: this.#options.from, to, subject: mail.subject, text: mail.text, html: mail.html, headers: { 'X-Redback-Notice': meta.kind, 'X-Redback-Batch': meta.batchId } });
    } finally {
      transport.close();
    }
  }
}

/** `smtp[s]://user[:pass]@host[:port]` with an optional password from a secret reference, as the e-mail notifiers read it. */
function smtpTransportOptions(smtpUrl: string, password: string | undefined): string | SMTPTransport.Options {
  if (password === undefined) return smtpUrl;
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return { host: url.hostname, port: url.port === '' ? (secure ? 465 : 587) : Number(url.port), secure, ...(user === '' ? {} : { auth: { user, pass: password } }) };
}
