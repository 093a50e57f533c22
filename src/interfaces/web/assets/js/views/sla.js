import { h } from '../dom.js';
import { formatInstant, relative, serverNow } from '../format.js';

/**
 * One SLA clock as a pill: running (time left), near breach, breached, paused (waiting for a window) or stopped.
 * Milestones come from the server (`sla.emitted`), which counts business hours; the browser only adds the wall
 * clock's "in 2 h" to the due instant the server computed.
 */
export function slaClock(sla, name) {
  const clock = sla[name];
  const dueAt = sla[`${name}DueAt`];
  const label = name === 'response' ? 'Response' : 'Resolution';
  if (clock.stoppedAt) return pill('stopped', `${label} done`, `stopped ${formatInstant(clock.stoppedAt)}`);
  if (clock.pausedAt) return pill('paused', `${label} paused`, `paused since ${formatInstant(clock.pausedAt)}`);
  const breached = sla.emitted.includes(`${name}.breached`) || (dueAt !== null && Date.parse(dueAt) < serverNow());
  const near = sla.emitted.includes(`${name}.near-breach`);
  const state = breached ? 'breached' : near ? 'near-breach' : 'running';
  const when = dueAt === null ? 'no due time' : `due ${relative(dueAt)}`;
  return pill(state, `${label} ${breached ? 'breached' : when}`, dueAt === null ? '' : `due ${formatInstant(dueAt)}`);
}

function pill(state, text, title) {
  return h('span', { class: `sla sla-${state}`, title }, text);
}
