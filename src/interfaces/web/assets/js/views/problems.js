import { query } from '../api.js';
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
          h('td', {}, problem.id),
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
