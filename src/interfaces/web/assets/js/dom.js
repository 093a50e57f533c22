/**
 * A tiny element builder. Text is always set as text, never parsed as HTML, so a host name or a comment from a
 * record cannot inject markup.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A status pill: the class carries the colour, the text the meaning (never colour alone). */
export function badge(status, label = status) {
  return h('span', { class: `badge badge-${String(status).replace(/[^a-z0-9-]/gi, '')}` }, label);
}

export function table(headers, rows, options = {}) {
  return h(
    'table',
    { class: options.class ?? 'grid' },
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', {}, header)))),
    h('tbody', {}, rows.length === 0 ? h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, options.empty ?? 'Nothing to show.')) : rows),
  );
}

export function errorBox(error) {
  return h('div', { class: 'notice notice-error', role: 'alert' }, error instanceof Error ? error.message : String(error));
}
