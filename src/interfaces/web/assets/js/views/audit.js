import { query } from '../api.js';
import { h, replace, table } from '../dom.js';
import { formatInstant } from '../format.js';

/** The audit trail, newest first: who did what to which record, with the before and after. */
export async function renderAudit(view, { params }) {
  const customer = params.get('customer') ?? '';
  const { items } = await query('/audit', { customer: customer || undefined, limit: 500 });
  const rows = [...items].reverse();
  replace(
    view,
    h('div', { class: 'toolbar' }, h('h1', { class: 'toolbar-title' }, 'Audit trail'), h('span', { class: 'muted' }, `${rows.length} most recent entries; each is hash-chained to the one before.`)),
    table(
      ['When', 'Who', 'What', 'Record', 'Change', 'Why'],
      rows.map((entry) =>
        h(
          'tr',
          { dataset: { action: entry.action } },
          h('td', { class: 'small nowrap' }, formatInstant(entry.at)),
          h('td', {}, entry.actor),
          h('td', {}, h('code', {}, entry.action)),
          h('td', { class: 'small' }, entry.subject, entry.customerId ? h('div', { class: 'muted' }, entry.customerId) : null),
          h('td', { class: 'small mono change' }, change(entry.before, entry.after)),
          h('td', { class: 'small' }, entry.reason ?? ''),
        ),
      ),
      { empty: 'The audit trail is empty.' },
    ),
  );
}

function change(before, after) {
  const text = (value) => (value === null || value === undefined ? '∅' : JSON.stringify(value));
  return `${text(before)} → ${text(after)}`;
}
