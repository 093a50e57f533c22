import { api } from '../api.js';
import { h, replace, table } from '../dom.js';
import { formatInstant } from '../format.js';
import { severityBadge } from './exposure.js';

/** One stored advisory (`GET /advisories/:id`): what it is, which hosts of the person's customers it exposes, the fix. */
export async function renderAdvisory(view, { args }) {
  const { summary, exposure, problems } = await api(`/advisories/${encodeURIComponent(args[0])}`);
  const affected = exposure?.affected ?? [];
  replace(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/exposure' }, 'Exposure'), ' / ', summary.identity.trackingId),
    h('div', { class: 'title-row' }, h('h1', {}, `${summary.identity.trackingId} `, h('span', { class: 'muted' }, summary.title)), severityBadge(exposure?.severity ?? null, exposure?.maxCvss ?? null)),
    h(
      'dl',
      { class: 'facts', id: 'advisory-facts' },
      [
        ['Publisher', summary.identity.publisher],
        ['Format', summary.format],
        ['Revision', `${summary.revision.version} (${summary.revision.status}), released ${formatInstant(summary.revision.releasedAt)}`],
        ['CVEs', summary.cves.length === 0 ? '—' : summary.cves.join(', ')],
        ['Urgent', exposure === null ? 'not matched yet' : exposure.urgent ? `yes: ${exposure.urgencyReasons.join('; ')}` : 'no: joins the next regular window'],
        ['Matched', exposure === null ? '—' : formatInstant(exposure.matchedAt)],
        ['Stored', `${formatInstant(summary.storedAt)} by ${summary.storedBy} from ${summary.source}`],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      problems.length > 0 ? [h('dt', {}, 'Problems'), h('dd', {}, problems.map((p, i) => [i > 0 ? ', ' : '', h('a', { href: `#/problems/${p.problemId}` }, p.problemId), ` (${p.customerId})`]))] : null,
    ),
    h('h2', {}, `Exposed hosts (${new Set(affected.map((a) => a.hostId)).size})`),
    table(
      ['Customer', 'Host', 'Package', 'Arch', 'Installed', 'Fixed in', 'Vulnerabilities'],
      affected.map((a) =>
        h('tr', { dataset: { host: a.hostId } }, h('td', {}, a.customerId), h('td', {}, a.hostId), h('td', { class: 'mono' }, a.packageName), h('td', { class: 'mono' }, a.arch ?? '—'), h('td', { class: 'mono installed' }, a.installedVersion), h('td', { class: 'mono fixed' }, a.fixedVersion ?? h('span', { class: 'no-fix' }, 'no fix yet')), h('td', { class: 'small' }, a.vulnerabilityIds.join(', '))),
      ),
      { empty: 'No host of your customers is exposed.' },
    ),
    (exposure?.needsReview ?? []).length > 0
      ? [h('h2', {}, 'Needs review'), table(['Customer', 'Host', 'Package', 'Reason'], exposure.needsReview.map((r) => h('tr', {}, h('td', {}, r.customerId ?? '—'), h('td', {}, r.hostId ?? '—'), h('td', { class: 'mono' }, r.packageName ?? r.productId ?? '—'), h('td', { class: 'small' }, r.reason))))]
      : null,
    (exposure?.remediation ?? []).length > 0
      ? [h('h2', {}, 'Remediation'), h('ul', { class: 'plain' }, exposure.remediation.map((r) => h('li', {}, h('span', { class: 'mono' }, `${r.packageName}${r.arch ? ` (${r.arch})` : ''} ≥ ${r.fixedVersion}`), h('span', { class: 'muted small' }, ` on ${r.hostIds.length} host${r.hostIds.length === 1 ? '' : 's'}`))))]
      : null,
  );
}
