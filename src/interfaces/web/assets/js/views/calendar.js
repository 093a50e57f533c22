import { query } from '../api.js';
import { h, replace } from '../dom.js';
import { addDays, formatInstant, formatTime, localDate, todayIn, viewerZone, weekdayIndex } from '../format.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Window occurrences by month or week. Each occurrence is placed on its day and shown at its time either in the
 * viewer's zone or in its customer's own zone (the contract's zone, where DST rules apply).
 */
export async function renderCalendar(view, { params }) {
  const mode = params.get('view') === 'week' ? 'week' : 'month';
  const zoneMode = params.get('tz') === 'customer' ? 'customer' : 'viewer';
  const anchor = /^\d{4}-\d{2}-\d{2}$/.test(params.get('date') ?? '') ? params.get('date') : todayIn();
  const customer = params.get('customer') ?? '';

  const first = mode === 'month' ? monthGridStart(anchor) : addDays(anchor, -weekdayIndex(anchor));
  const days = mode === 'month' ? 42 : 7;
  const last = addDays(first, days - 1);
  // A day's edge differs per zone: ask one day more on each side, then place by the displayed zone.
  const data = await query('/calendar', { from: addDays(first, -1), to: addDays(last, 2), customer: customer || undefined });
  const zoneOf = (occurrence) => (zoneMode === 'customer' ? occurrence.timezone : viewerZone);
  const byDay = new Map();
  for (const occurrence of data.occurrences) {
    const day = localDate(occurrence.start, zoneOf(occurrence));
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(occurrence);
  }
  const customers = [...new Set(data.occurrences.map((o) => o.customerId))].sort();

  const link = (changes) => {
    const next = new URLSearchParams({ view: mode, tz: zoneMode, date: anchor, customer, ...changes });
    for (const [key, value] of [...next]) if (value === '') next.delete(key);
    return `#/calendar?${next}`;
  };
  const step = mode === 'month' ? shiftMonth(anchor, 1) : addDays(anchor, 7);
  const back = mode === 'month' ? shiftMonth(anchor, -1) : addDays(anchor, -7);
  const title = mode === 'month' ? monthTitle(anchor) : `Week of ${formatDay(first)} – ${formatDay(last)}`;

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('div', { class: 'segmented' }, h('a', { href: link({ date: back }), 'aria-label': 'previous' }, '‹'), h('a', { href: link({ date: todayIn() }) }, 'Today'), h('a', { href: link({ date: step }), 'aria-label': 'next' }, '›')),
    h('h1', { class: 'toolbar-title' }, title),
    h('div', { class: 'segmented' }, h('a', { href: link({ view: 'month' }), class: mode === 'month' ? 'on' : '' }, 'Month'), h('a', { href: link({ view: 'week' }), class: mode === 'week' ? 'on' : '' }, 'Week')),
    h('div', { class: 'segmented', title: 'time zone of the times shown' }, h('a', { href: link({ tz: 'viewer' }), class: zoneMode === 'viewer' ? 'on' : '' }, `My time (${viewerZone})`), h('a', { href: link({ tz: 'customer' }), class: zoneMode === 'customer' ? 'on' : '' }, "Customer's time")),
    h(
      'select',
      { 'aria-label': 'customer', onchange: (event) => (location.hash = link({ customer: event.target.value })) },
      h('option', { value: '' }, 'All customers'),
      [...new Set([...customers, customer].filter(Boolean))].map((id) => h('option', { value: id, selected: id === customer }, id)),
    ),
  );

  const today = todayIn();
  const cells = Array.from({ length: days }, (_, i) => {
    const day = addDays(first, i);
    const items = (byDay.get(day) ?? []).sort((a, b) => a.startMs - b.startMs);
    const outside = mode === 'month' && day.slice(0, 7) !== anchor.slice(0, 7);
    return h(
      'div',
      { class: `day${outside ? ' outside' : ''}${day === today ? ' today' : ''}`, dataset: { date: day } },
      h('div', { class: 'day-number' }, mode === 'week' ? `${WEEKDAYS[i]} ${Number(day.slice(8))}` : String(Number(day.slice(8)))),
      items.map((o) => occurrenceChip(o, zoneOf(o))),
    );
  });
  const removed = data.removed.filter((r) => r.startMs >= Date.parse(`${first}T00:00:00Z`) - 86_400_000 && r.startMs <= Date.parse(`${last}T23:59:59Z`) + 86_400_000);

  replace(
    view,
    toolbar,
    h('div', { class: `calendar calendar-${mode}` }, mode === 'month' ? WEEKDAYS.map((d) => h('div', { class: 'weekday' }, d)) : null, cells),
    h('p', { class: 'muted legend' }, `${data.occurrences.length} window occurrence(s) in view. `, zoneMode === 'customer' ? "Times are in each customer's own zone, as in the contract." : `Times are in your zone, ${viewerZone}.`),
    removed.length === 0 ? null : h('section', {}, h('h2', {}, 'Not taking place'), h('ul', { class: 'plain' }, removed.map((r) => h('li', {}, h('strong', {}, r.windowId), ` ${formatInstant(r.start, r.timezone)}: ${r.reason}`)))),
  );
}

function occurrenceChip(occurrence, zone) {
  const title = `${occurrence.id}\n${occurrence.customerId}: ${formatInstant(occurrence.start, occurrence.timezone)} (customer) / ${formatInstant(occurrence.start, viewerZone)} (you)\nhosts: ${occurrence.hostIds.length}; playbooks: ${occurrence.playbooks.join(', ')}; approval ${occurrence.approval}`;
  return h(
    'a',
    { class: `occurrence approval-${occurrence.approval}`, href: `#/batches/${encodeURIComponent(occurrence.id)}`, title },
    h('span', { class: 'occurrence-time' }, `${formatTime(occurrence.start, zone)}–${formatTime(occurrence.end, zone)}`),
    h('span', { class: 'occurrence-name' }, `${occurrence.customerId} · ${occurrence.windowId}`),
    h('span', { class: 'occurrence-meta' }, `${occurrence.hostIds.length} host${occurrence.hostIds.length === 1 ? '' : 's'}${occurrence.approval === 'required' ? ' · approval' : ''}`),
  );
}

function monthGridStart(date) {
  const firstOfMonth = `${date.slice(0, 7)}-01`;
  return addDays(firstOfMonth, -weekdayIndex(firstOfMonth));
}

function shiftMonth(date, months) {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

function monthTitle(date) {
  return new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date.slice(0, 7)}-01T00:00:00Z`));
}

function formatDay(date) {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}
