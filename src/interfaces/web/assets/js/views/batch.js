import { api, ApiError, query, streamEvents } from '../api.js';
import { badge, errorBox, h, replace, table } from '../dom.js';
import { formatInstant, formatTimeWithZone, relative, viewerZone } from '../format.js';

const FINAL = new Set(['succeeded', 'partially-failed', 'failed', 'halted', 'expired', 'cancelled']);

/**
 * One batch: its window, the planned per-host diff with Approve / Reject for approvers, and the live run: per-host
 * state and every output line as it is written (server-sent events of the orchestration stream).
 */
export async function renderBatch(view, { args, me, signal }) {
  const [batchId] = args;
  const path = `/batches/${encodeURIComponent(batchId)}`;
  let batch;
  try {
    batch = await api(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      replace(view, h('h1', {}, batchId), h('p', {}, 'No batch for this occurrence yet: the planner creates it ahead of the window (its lead time). ', h('a', { href: '#/calendar' }, 'Back to the calendar.')));
      return;
    }
    throw error;
  }
  const approval = await api(`${path}/approval`);
  const customerZone = await windowZone(batch);

  const header = h('section', { class: 'batch-header' });
  const approvalSection = h('section', { class: 'card', id: 'approval' });
  const hostsSection = h('section', { id: 'hosts' });
  const outputs = new Map();
  const outputSection = h('section', { id: 'output' });
  replace(view, h('p', { class: 'crumbs' }, h('a', { href: '#/batches' }, 'Batches'), ' / ', batchId), header, approvalSection, hostsSection, outputSection);

  const drawHeader = () =>
    replace(
      header,
      h('div', { class: 'title-row' }, h('h1', {}, batch.windowId, h('span', { class: 'muted' }, ` · ${batch.customerId}`)), badge(batch.status), batch.status === 'running' ? h('span', { id: 'live-indicator', class: 'live' }, '● live') : null),
      h(
        'dl',
        { class: 'facts' },
        fact('Window', `${formatInstant(batch.windowStart)} – ${formatTimeWithZone(batch.windowEnd)} (${relative(batch.windowStart)})`),
        customerZone !== undefined && customerZone !== viewerZone ? fact("Customer's time", `${formatInstant(batch.windowStart, customerZone)} – ${formatTimeWithZone(batch.windowEnd, customerZone)} (${customerZone})`) : null,
        fact('Cutoff', `${formatInstant(batch.cutoffAt)}: no host starts after it`),
        fact('Playbooks', `${batch.playbooks.join(', ')}${batch.checkMode ? ' (check mode)' : ''}`),
        fact('Hosts', `${batch.counts.total} — ${batch.counts.succeeded} succeeded, ${batch.counts.failed} failed, ${batch.counts.inFlight} running, ${batch.counts.notRun} not run`),
        batch.statusReason ? fact('Why', batch.statusReason) : null,
        batch.approvedBy ? fact('Approved by', batch.approvedBy) : null,
        fact('Planned by', `${batch.plannedBy} at ${formatInstant(batch.plannedAt)}`),
      ),
    );

  const drawHosts = () =>
    replace(
      hostsSection,
      h('h2', {}, 'Hosts'),
      table(
        ['Host', 'State', 'Note', ''],
        batch.hosts.map((host) =>
          h(
            'tr',
            { dataset: { host: host.hostId, state: host.state } },
            h('td', {}, h('strong', {}, host.hostId)),
            h('td', {}, badge(host.state)),
            h('td', { class: 'small' }, host.note ?? ''),
            h('td', {}, h('a', { href: `#output-${host.hostId}`, class: 'small', onclick: (event) => { event.preventDefault(); outputs.get(host.hostId)?.scrollIntoView({ block: 'start' }); } }, 'output')),
          ),
        ),
      ),
    );

  const outputFor = (hostId) => {
    if (!outputs.has(hostId)) {
      const pre = h('pre', { class: 'log', dataset: { host: hostId } });
      const box = h('details', { class: 'output', id: `output-${hostId}`, open: true }, h('summary', {}, hostId), pre);
      outputs.set(hostId, box);
      outputSection.append(box);
    }
    return outputs.get(hostId).querySelector('pre');
  };
  const addLine = (hostId, line) => {
    const pre = outputFor(hostId);
    const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(h('span', { class: `line line-${line.stream}` }, h('span', { class: 'step' }, line.step), ' ', line.line, '\n'));
    if (stick) pre.scrollTop = pre.scrollHeight;
  };

  const drawApproval = (current) => replace(approvalSection, approvalPanel(current, batch, me, async (action, body) => {
    await api(`${path}/${action}`, { method: 'POST', body });
    batch = await api(path);
    drawHeader();
    drawHosts();
    drawApproval(await api(`${path}/approval`));
    if (action === 'approve' && !FINAL.has(batch.status)) void follow();
  }));

  drawHeader();
  drawHosts();
  drawApproval(approval);
  replace(outputSection, h('h2', {}, 'Step output'));
  for (const host of batch.hosts) outputFor(host.hostId);

  // Refreshing the batch on every event would flood the API during a big batch: coalesce to one fetch at a time.
  let refreshing = false;
  let again = false;
  const refresh = async () => {
    if (refreshing) return void (again = true);
    refreshing = true;
    try {
      do {
        again = false;
        batch = await api(path, { signal });
        drawHeader();
        drawHosts();
      } while (again);
    } finally {
      refreshing = false;
    }
  };

  let following = false;
  const follow = async () => {
    if (following || signal.aborted) return;
    following = true;
    // From the start of the stream: the batch's earlier events are replayed, so nothing between load and connect is missed.
    const stream = streamEvents(`/events/stream?batch=${encodeURIComponent(batchId)}&after=0`, (type, data) => {
      if (type === 'log') addLine(data.hostId, data);
      if (type === 'orchestration') void refresh().catch(() => undefined);
    }, signal);
    stream.catch((error) => {
      if (!signal.aborted) outputSection.prepend(errorBox(`The live stream stopped: ${error.message}. Reload to reconnect.`));
    });
  };

  if (FINAL.has(batch.status)) {
    for (const host of batch.hosts) {
      const { lines } = await api(`/runs/${encodeURIComponent(batchId)}/${encodeURIComponent(host.hostId)}/logs`).catch(() => ({ lines: [] }));
      for (const line of lines) addLine(host.hostId, line);
    }
  } else {
    void follow();
  }
}

/** The window's own zone, from the calendar (a batch record keeps instants only). */
async function windowZone(batch) {
  const end = new Date(Date.parse(batch.windowStart) + 60_000).toISOString();
  const { occurrences } = await query('/calendar', { from: batch.windowStart, to: end, customer: batch.customerId }).catch(() => ({ occurrences: [] }));
  return occurrences.find((o) => o.id === batch.occurrenceId)?.timezone;
}

function fact(name, value) {
  return [h('dt', {}, name), h('dd', {}, value)];
}

/** The planned diff and the decision buttons; the buttons appear only for someone who may decide. */
function approvalPanel(view, batch, me, decide) {
  const { content, request, decisions, evaluation } = view;
  const canDecide = (me.roles.includes('approver')) && ['awaiting-approval', 'planned', 'approved'].includes(batch.status);
  const message = h('p', { class: 'form-error', role: 'alert' });
  const comment = h('textarea', { id: 'decision-comment', rows: 2, placeholder: 'Comment for the audit trail (required to reject)' });
  const act = (action) => async (event) => {
    const button = event.currentTarget;
    message.textContent = '';
    if (action === 'reject' && comment.value.trim() === '') {
      message.textContent = 'Say why you reject it: the requester and the audit trail need the reason.';
      return;
    }
    button.disabled = true;
    try {
      await decide(action, action === 'approve' ? { comment: comment.value, reviewedHash: content?.hash } : { comment: comment.value });
    } catch (error) {
      message.textContent = error.message;
      button.disabled = false;
    }
  };

  const tally = evaluation === undefined ? 'no content computed yet' : `${evaluation.approvers.length} of ${evaluation.needed} approval${evaluation.needed === 1 ? '' : 's'}${evaluation.approvers.length > 0 ? ` (${evaluation.approvers.join(', ')})` : ''}`;
  return [
    h('div', { class: 'title-row' }, h('h2', {}, 'Approval'), badge(batch.approval === 'auto' ? 'auto' : evaluation?.state ?? batch.status, batch.approval === 'auto' ? 'auto-approved window' : tally)),
    request ? h('p', {}, `Requested by ${request.requestedBy} ${relative(request.requestedAt)}`, request.comment ? `: “${request.comment}”` : '.') : null,
    content ? h('p', { class: 'muted small' }, 'Content ', h('code', { id: 'content-hash' }, content.hash.slice(0, 12)), ` computed ${relative(content.computedAt)} by ${content.computedBy}. An approval counts only for exactly this content.`) : h('p', { class: 'muted' }, 'The planned updates are computed when an engineer requests approval.'),
    content ? diffTable(content.hosts) : null,
    decisions.length === 0 ? null : h('ul', { class: 'plain decisions' }, decisions.map((d) => h('li', {}, badge(d.verdict), ` ${d.approver} ${relative(d.at)}`, d.comment ? ` — “${d.comment}”` : '', d.contentHash === content?.hash ? '' : h('span', { class: 'muted' }, ' (void: given for other content)')))),
    canDecide && batch.status === 'awaiting-approval'
      ? h('div', { class: 'decide' }, comment, h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', id: 'approve', onclick: act('approve') }, 'Approve'), h('button', { type: 'button', class: 'danger', id: 'reject', onclick: act('reject') }, 'Reject')), message)
      : null,
    !canDecide && batch.status === 'awaiting-approval' ? h('p', { class: 'muted small' }, 'Only an approver for this customer who did not request or plan the batch can decide on it.') : null,
  ];
}

function diffTable(hosts) {
  const rows = [];
  for (const host of hosts) {
    if (!host.scanned) rows.push(h('tr', {}, h('td', {}, host.hostId), h('td', { colspan: 4, class: 'muted' }, 'never scanned: nothing planned')));
    for (const p of host.taken) rows.push(h('tr', { class: 'diff-add' }, h('td', {}, host.hostId), h('td', {}, `+ ${p.name}`, h('span', { class: 'muted' }, ` ${p.arch}`)), h('td', { class: 'mono' }, p.from ?? '—'), h('td', { class: 'mono' }, p.to), h('td', { class: 'small' }, p.reason)));
    for (const p of host.left) rows.push(h('tr', { class: 'diff-left' }, h('td', {}, host.hostId), h('td', {}, `· ${p.name}`), h('td', { class: 'mono' }, p.from ?? '—'), h('td', { class: 'mono' }, p.to), h('td', { class: 'small' }, `left out: ${p.detail}`)));
    if (host.scanned && host.taken.length === 0 && host.left.length === 0) rows.push(h('tr', {}, h('td', {}, host.hostId), h('td', { colspan: 4, class: 'muted' }, 'up to date')));
  }
  return table(['Host', 'Package', 'Installed', 'Planned', 'Why'], rows, { class: 'grid diff', empty: 'No hosts.' });
}

