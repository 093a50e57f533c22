import { api, query } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { formatInstant, relative } from '../format.js';

/** Problems (the unknown causes behind incidents, and preventive work from advisories), newest first. */
export async function renderProblems(view) {
  const { items } = await query('/problems', { limit: 200 });
  replace(
    view,
    h('div', { class: 'toolbar' }, h('h1', { class: 'toolbar-title' }, 'Problems')),
    table(
      ['Problem', 'P', 'Status', 'Customer', 'Title', 'Incidents', 'Effort', 'Opened'],
      items.map((problem) =>
        h(
          'tr',
          { dataset: { problem: problem.id } },
          h('td', {}, h('a', { href: `#/problems/${problem.id}` }, problem.id)),
          h('td', {}, h('span', { class: `priority priority-${problem.priority}` }, `P${problem.priority}`)),
          h('td', {}, badge(problem.status)),
          h('td', {}, problem.customerId ?? 'several'),
          h('td', {}, problem.title, h('div', { class: 'muted small' }, `${problem.category} · ${problem.source}${problem.trigger ? ` · opened by rule ${problem.trigger.rule}` : ''}`), problem.knownErrorWorkaround ? h('div', { class: 'small' }, `Workaround: ${problem.knownErrorWorkaround}`) : null),
          h('td', { class: 'small' }, problem.incidentIds.map((id, i) => [i > 0 ? ', ' : '', h('a', { href: `#/incidents/${id}` }, id)])),
          h('td', { class: 'small' }, problem.effort ? `${problem.effort.people} people, ${problem.effort.hours} h, ${problem.effort.means}` : '—'),
          h('td', { class: 'small' }, formatInstant(problem.openedAt), h('div', { class: 'muted' }, relative(problem.openedAt))),
        ),
      ),
      { empty: 'No problems recorded.' },
    ),
  );
}

/** One problem: its facts, what opened it (for advisories: the exposed hosts and the due time) and the timeline. */
export async function renderProblem(view, { args }) {
  const problem = await api(`/problems/${encodeURIComponent(args[0])}`);
  const detail = problem.trigger?.detail ?? {};
  replace(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/problems' }, 'Problems'), ' / ', problem.id),
    h('div', { class: 'title-row' }, h('h1', {}, `${problem.id} `, h('span', { class: 'muted' }, problem.title)), h('span', { class: `priority priority-${problem.priority}` }, `P${problem.priority}`), badge(problem.status)),
    h(
      'dl',
      { class: 'facts' },
      [
        ['Customer', problem.customerId ?? 'several'],
        ['Source / category', `${problem.source} / ${problem.category}`],
        ['Impact / urgency', `${problem.impact} / ${problem.urgency}`],
        ['Opened', formatInstant(problem.openedAt)],
        ['Assignee', problem.assignee ?? 'nobody yet'],
        ['Effort', problem.effort ? `${problem.effort.people} ${problem.effort.people === 1 ? 'person' : 'people'}, ${problem.effort.hours} h, ${problem.effort.means}` : '—'],
      ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      problem.trigger ? [h('dt', {}, 'Opened by'), h('dd', {}, `rule ${problem.trigger.rule}`)] : null,
      typeof detail.advisoryId === 'string' ? [h('dt', {}, 'Advisory'), h('dd', {}, h('a', { href: `#/advisories/${encodeURIComponent(detail.advisoryId)}` }, String(detail.trackingId ?? detail.advisoryId)), detail.severity ? ` · ${detail.severity}` : '')] : null,
      typeof detail.dueAt === 'string' ? [h('dt', {}, 'Patch by'), h('dd', {}, formatInstant(detail.dueAt), h('span', { class: 'muted' }, ` (${relative(detail.dueAt)})`))] : null,
      Array.isArray(detail.exposures) ? [h('dt', {}, 'Exposed'), h('dd', {}, h('ul', { class: 'plain' }, detail.exposures.map((e) => h('li', { class: 'mono' }, `${e.hostId}: ${e.packageName} ${e.installedVersion} → ${e.fixedVersion ?? 'no fix yet'}`))))] : null,
      problem.incidentIds.length > 0 ? [h('dt', {}, 'Incidents'), h('dd', {}, problem.incidentIds.map((id, i) => [i > 0 ? ', ' : '', h('a', { href: `#/incidents/${id}` }, id)]))] : null,
      problem.knownErrorWorkaround ? [h('dt', {}, 'Workaround'), h('dd', {}, problem.knownErrorWorkaround)] : null,
      problem.resolution ? [h('dt', {}, 'Resolution'), h('dd', {}, problem.resolution)] : null,
    ),
    h('h2', {}, 'Timeline'),
    h('ol', { class: 'timeline' }, problem.timeline.map((entry) => h('li', {}, h('span', { class: 'muted small' }, formatInstant(entry.at)), ' ', h('strong', {}, entry.action), ' ', entry.actor ? `${entry.actor}: ` : '', entry.text ?? ''))),
  );
}
