export { CustomerNotices, type CustomerNoticeOptions, type SentNotice } from './customer-notices.js';
export { collectPostWindowReport, collectPreWindowNotice, type AdvisoryLookup } from './collect-notices.js';
export { renderPostWindowReport, renderPreWindowNotice, escapeHtml, type RenderedMail } from './render-notices.js';
export type { HostOutcome, PlannedHost, PostWindowReport, PreWindowNotice } from './notice-content.js';
