/**
 * The console's only door to the server: the same REST API as every other client, with the person's bearer
 * token. The token lives in sessionStorage (gone when the tab closes) and is never put in a URL.
 */
const TOKEN_KEY = 'redback.token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function headers(extra = {}) {
  const token = session.token;
  return token === null ? extra : { ...extra, authorization: `Bearer ${token}` };
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const response = await fetch(path, {
    method,
    signal,
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('redback:unauthorized'));
    throw new ApiError(response.status, data?.error?.code ?? 'error', data?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

/** `GET` with a query built from an object (undefined values left out). */
export function query(path, parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return api(text === '' ? path : `${path}?${text}`);
}

/**
 * Server-sent events over fetch: EventSource cannot send an Authorization header, and the token must not go in
 * the URL. Calls `onEvent(type, data)` per event until `signal` aborts or the server ends the stream.
 */
export async function streamEvents(path, onEvent, signal) {
  const response = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (!response.ok || response.body === null) throw new ApiError(response.status, 'stream', `the live stream answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}
