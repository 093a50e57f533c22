import { api } from '../api.js';
import { h, replace } from '../dom.js';

/** Opens the BullMQ dashboard (admins): the token buys a short dashboard session cookie, then the page loads. */
export async function renderQueues(view) {
  const session = await api('/admin/queues/session', { method: 'POST' });
  replace(
    view,
    h('div', { class: 'toolbar' }, h('h1', { class: 'toolbar-title' }, 'Queues'), h('a', { href: session.url, target: '_blank', rel: 'noopener' }, 'Open in a new tab')),
    h('iframe', { class: 'queues', src: session.url, title: 'BullMQ queue dashboard' }),
  );
}
