import { query } from '../api.js';
import { h, replace, table } from '../dom.js';
import { formatInstant, serverNow } from '../format.js';

const SORTS = [
  ['severity', 'By severity'],
  ['host', 'By host'],
];

/** A severity pill: colour and the word (never colour alone), with the CVSS base score beside it when there is one. */
export function severityBadge(severity, maxCvss) {
  return h(
    'span',
    { class: 'nowrap' },
    h('span', { class: `severity severity-${severity ?? 'unknown'}` }, severity ?? 'unrated'),
    maxCvss === null || maxCvss === undefined ? null : h('span', { class: 'muted small' }, ` CVSS ${maxCvss.toFixed(1)}`),
  );
}

function link(hash, params) {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const text = search.toString();
  return text === '' ? hash : `${hash}?${text}`;
}

/**
 * Advisory exposure per customer: hosts x advisories from `GET /exposure`, which already leaves out customers
 * outside the person's scope. Each row names the exposed package with the installed and the fixed version, links
 * to the advisory, and to the problem opened for it when the advisory was urgent.
 */
export async function renderExposure(view, { me, params }) {
  const sort = params.get('sort') === 'host' ? 'host' : 'severity';
  const customer = params.get('customer') ?? '';
  const { items } = await query('/exposure', { sort, customer: customer || undefined });
  // The customers to filter by: the person's scope, or (for `*`) those with exposure.
  const { items: everyone } = customer === '' ? { items } : await query('/exposure', { sort });
  const customers = me.customers === '*' ? [...new Set(everyone.map((r) => r.customerId))].sort() : [...me.customers].sort();
  const hosts = new Set(items.map((r) => `${r.customerId}/${r.hostId}`));
  const advisories = new Set(items.map((r) => r.advisoryId));
  replace(
    view,
    h(
      'div',
      { class: 'toolbar' },
      h('h1', { class: 'toolbar-title' }, 'Advisory exposure'),
      h('span', { class: 'muted', id: 'exposure-count' }, `${hosts.size} exposed host${hosts.size === 1 ? '' : 's'}, ${advisories.size} advisor${advisories.size === 1 ? 'y' : 'ies'}`),
      h('div', { class: 'segmented', id: 'exposure-sort' }, SORTS.map(([value, label]) => h('a', { href: link('#/exposure', { sort: value, customer }), class: value === sort ? 'on' : '' }, label))),
      customers.length > 1 || customer !== ''
        ? h('div', { class: 'segmented', id: 'exposure-customers' }, ['', ...customers].map((c) => h('a', { href: link('#/exposure', { sort, customer: c }), class: c === customer ? 'on' : '' }, c === '' ? 'All customers' : c)))
        : null,
    ),
    table(
      ['Severity', 'Advisory', 'Customer', 'Host', 'Package', 'Installed', 'Fixed in', 'Problem'],
      items.map((row) =>
        h(
          'tr',
          { dataset: { host: row.hostId, advisory: row.advisoryId, severity: row.severity ?? 'unrated', customer: row.customerId } },
          h('td', {}, severityBadge(row.severity, row.maxCvss), row.urgent ? h('div', { class: 'small urgent' }, 'urgent') : null),
          h('td', {}, h('a', { href: `#/advisories/${encodeURIComponent(row.advisoryId)}`, class: 'advisory-link' }, row.trackingId)),
          h('td', {}, row.customerId),
          h('td', { class: 'host' }, row.hostId),
          h('td', { class: 'mono' }, row.packageName),
          h('td', { class: 'mono installed' }, row.installedVersion),
          h('td', { class: 'mono fixed' }, row.fixedVersion ?? h('span', { class: 'no-fix' }, 'no fix yet')),
          h('td', {}, row.problemId === null ? h('span', { class: 'muted' }, '—') : h('a', { href: `#/problems/${row.problemId}`, class: 'problem-link' }, row.problemId)),
        ),
      ),
      { empty: 'No exposed hosts. Advisories are matched against the package inventory that the scan playbook stores; ingest them with `redback advisories ingest`, the drop folder, a feed, or POST /advisories.' },
    ),
    h('p', { class: 'muted small' }, `Matched against each host's last stored scan. Sorted ${sort === 'severity' ? 'by severity, then CVSS' : 'by customer and host'}. As of ${formatInstant(new Date(serverNow()).toISOString())} (server time).`),
  );
}
