import { api, session } from './api.js';
import { errorBox, h, replace } from './dom.js';
import { setServerTime } from './format.js';
import { renderAdvisory } from './views/advisory.js';
import { renderAudit } from './views/audit.js';
import { renderBatch } from './views/batch.js';
import { renderBatches } from './views/batches.js';
import { renderCalendar } from './views/calendar.js';
import { renderExposure } from './views/exposure.js';
import { renderIncident, renderIncidents } from './views/incidents.js';
import { renderLogin } from './views/login.js';
import { renderProblem, renderProblems } from './views/problems.js';
import { renderQueues } from './views/queues.js';

/**
 * The console shell: hash routes (`#/batches/<id>`), one view at a time. Each view gets the element to draw into,
 * the route's parameters and an AbortSignal that fires when the person navigates away (it stops live streams).
 */
const routes = [
  [/^\/calendar$/, 'calendar', renderCalendar],
  [/^\/batches$/, 'batches', renderBatches],
  [/^\/batches\/(.+)$/, 'batches', renderBatch],
  [/^\/incidents$/, 'incidents', renderIncidents],
  [/^\/incidents\/(INC-\d+)$/, 'incidents', renderIncident],
  [/^\/problems$/, 'problems', renderProblems],
  [/^\/problems\/(PRB-\d+)$/, 'problems', renderProblem],
  [/^\/exposure$/, 'exposure', renderExposure],
  [/^\/advisories\/(.+)$/, 'exposure', renderAdvisory],
  [/^\/audit$/, 'audit', renderAudit],
  [/^\/queues$/, 'queues', renderQueues],
];

const view = document.getElementById('view');
let me;
let leaving = new AbortController();

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/batches';
  const [path, search = ''] = raw.split('?');
  return { path, params: new URLSearchParams(search) };
}

async function whoAmI() {
  if (session.token === null) return undefined;
  try {
    const person = await api('/me');
    setServerTime(person.now);
    return person;
  } catch {
    session.clear();
    return undefined;
  }
}

function showShell(person) {
  document.getElementById('nav').hidden = person === undefined;
  document.getElementById('who').hidden = person === undefined;
  if (person === undefined) return;
  document.getElementById('who-name').textContent = person.user;
  document.getElementById('who-roles').textContent = person.roles.join(', ');
  for (const link of document.querySelectorAll('[data-role]')) link.hidden = !person.roles.includes(link.dataset.role);
}

async function route() {
  leaving.abort();
  leaving = new AbortController();
  me ??= await whoAmI();
  showShell(me);
  if (me === undefined) {
    renderLogin(view, async (token) => {
      session.set(token);
      me = await whoAmI();
      if (me === undefined) throw new Error('That token was refused: it is unknown, revoked or expired.');
      if (location.hash === '' || location.hash === '#/login') location.hash = '#/batches';
      else await route();
    });
    return;
  }
  const { path, params } = parseHash();
  const match = routes.map(([pattern, section, render]) => [pattern.exec(path), section, render]).find(([m]) => m !== null);
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.dataset.section === match?.[1]);
  if (match === undefined) {
    replace(view, h('h1', {}, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/batches' }, 'Go to the batches.')));
    return;
  }
  const [found, , render] = match;
  replace(view, h('p', { class: 'muted' }, 'Loading…'));
  try {
    await render(view, { me, params, args: found.slice(1).map(decodeURIComponent), signal: leaving.signal });
  } catch (error) {
    if (leaving.signal.aborted) return;
    replace(view, errorBox(error));
  }
}

document.getElementById('logout').addEventListener('click', () => {
  session.clear();
  me = undefined;
  location.hash = '#/login';
  void route();
});
window.addEventListener('redback:unauthorized', () => {
  session.clear();
  me = undefined;
});
window.addEventListener('hashchange', () => void route());
void route();
