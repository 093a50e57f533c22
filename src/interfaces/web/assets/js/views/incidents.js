import { api, query } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import { formatInstant, relative } from '../format.js';
import { slaClock } from './sla.js';

const OPEN = ['new', 'assigned', 'in-progress', 'waiting-for-window'];

/** Incidents, newest first, with their priority and both SLA clocks. */
export async function renderIncidents(view, { params }) {
  const status = params.get('status') ?? '';
  const { items } = await query('/incidents', { status: status || undefined, limit: 200 });
  const open = items.filter((i) => OPEN.includes(i.status)).length;
  replace(
    view,
    h('div', { class: 'toolbar' }, h('h1', { class: 'toolbar-title' }, 'Incidents'), h('span', { class: 'muted' }, `${open} open of ${items.length}`), h('div', { class: 'segmented' }, ['', ...OPEN, 'resolved', 'closed'].map((s) => h('a', { href: s === '' ? '#/incidents' : `#/incidents?status=${s}`, class: s === status ? 'on' : '' }, s === '' ? 'All' : s)))),
    table(
      ['Incident', 'P', 'Status', 'Customer', 'Title', 'Hosts', 'SLA', 'Opened'],
      items.map((incident) =>
        h(
          'tr',
          { dataset: { incident: incident.id } },
          h('td', {}, h('a', { href: `#/incidents/${incident.id}` }, incident.id)),
          h('td', {}, h('span', { class: `priority priority-${incident.priority}` }, `P${incident.priority}`)),
          h('td', {}, badge(incident.status)),
          h('td', {}, incident.customerId),
          h('td', {}, incident.title, h('div', { class: 'muted small' }, `${incident.category} · impact ${incident.impact}, urgency ${incident.urgency}`)),
          h('td', { class: 'small' }, incident.hosts.join(', ')),
          h('td', { class: 'sla-cell' }, OPEN.includes(incident.status) ? [slaClock(incident.sla, 'response'), slaClock(incident.sla, 'resolution')] : h('span', { class: 'muted small' }, incident.resolvedAt ? `resolved ${relative(incident.resolvedAt)}` : '')),
          h('td', { class: 'small' }, formatInstant(incident.openedAt), h('div', { class: 'muted' }, relative(incident.openedAt))),
        ),
      ),
      { empty: 'No incidents. Failed runs, monitoring alerts and customer calls open them.' },
    ),
  );
}

/** One incident: its facts, SLA clocks, the run that opened it and the timeline. */
export async function renderIncident(view, { args }) {
  const incident = await api(`/incidents/${encodeURIComponent(args[0])}`);
  replace(
    view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/incidents' }, 'Incidents'), ' / ', incident.id),
    h('div', { class: 'title-row' }, h('h1', {}, `${incident.id} `, h('span', { class: 'muted' }, incident.title)), h('span', { class: `priority priority-${incident.priority}` }, `P${incident.priority}`), badge(incident.status)),
    h('div', { class: 'sla-row' }, slaClock(incident.sla, 'response'), slaClock(incident.sla, 'resolution')),
    h(
      'dl',
      { class: 'facts' },
      [['Customer', incident.customerId], ['Category', incident.category], ['Impact / urgency', `${incident.impact} / ${incident.urgency}`], ['Hosts', incident.hosts.join(', ')], ['Opened', formatInstant(incident.openedAt)], ['Assignee', incident.assignee ?? 'nobody yet']].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      incident.run ? [h('dt', {}, 'Run'), h('dd', {}, h('a', { href: `#/batches/${encodeURIComponent(incident.run.occurrenceId)}` }, incident.run.occurrenceId), ` · ${incident.run.failureClass}`)] : null,
      incident.problemIds.length > 0 ? [h('dt', {}, 'Problems'), h('dd', {}, incident.problemIds.join(', '))] : null,
      incident.resolution ? [h('dt', {}, 'Resolution'), h('dd', {}, incident.resolution)] : null,
    ),
    h('h2', {}, 'Timeline'),
    h('ol', { class: 'timeline' }, incident.timeline.map((entry) => h('li', {}, h('span', { class: 'muted small' }, formatInstant(entry.at)), ' ', h('strong', {}, entry.action), ' ', entry.actor ? `${entry.actor}: ` : '', entry.text ?? ''))),
  );
}
