import { query } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { formatInstant, relative } from '../format.js';

const FILTERS = [
  ['', 'All'],
  ['awaiting-approval', 'Awaiting approval'],
  ['approved', 'Approved'],
  ['running', 'Running'],
  ['partially-failed', 'Partially failed'],
  ['failed', 'Failed'],
  ['succeeded', 'Succeeded'],
];

/** Release batches, newest window first, filtered by status. */
export async function renderBatches(view, { params }) {
  const status = params.get('status') ?? '';
  const { items } = await query('/batches', { status: status || undefined, limit: 200 });
  replace(
    view,
    h('div', { class: 'toolbar' }, h('h1', { class: 'toolbar-title' }, 'Release batches'), h('div', { class: 'segmented' }, FILTERS.map(([value, label]) => h('a', { href: value === '' ? '#/batches' : `#/batches?status=${value}`, class: value === status ? 'on' : '' }, label)))),
    table(
      ['Window', 'Batch', 'Customer', 'Hosts', 'Playbooks', 'Status'],
      items.map((batch) =>
        h(
          'tr',
          { class: 'row-link', dataset: { batch: batch.id } },
          h('td', {}, h('div', {}, formatInstant(batch.windowStart)), h('div', { class: 'muted small' }, relative(batch.windowStart))),
          h('td', {}, h('a', { href: `#/batches/${encodeURIComponent(batch.id)}` }, batch.id)),
          h('td', {}, batch.customerId),
          h('td', { class: 'num' }, String(batch.hostIds.length)),
          h('td', {}, batch.playbooks.join(', ')),
          h('td', {}, badge(batch.status), batch.approval === 'required' ? h('span', { class: 'muted small' }, ' four-eyes') : null),
        ),
      ),
      { empty: status === '' ? 'No batches yet: the planner creates them ahead of each window.' : `No batches ${status}.` },
    ),
  );
}
