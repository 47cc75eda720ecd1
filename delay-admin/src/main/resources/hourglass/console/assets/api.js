// The admin API client of the console: same-origin fetches with the session cookie, the CSRF token on every change,
// and problem+json answers turned into readable errors. Nothing else talks to the server.

const BASE = new URL('api/v1/', document.baseURI);
let csrf = null;

/** An error answer of the admin API, with the problem's readable text as its message. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(readable(status, problem));
    this.status = status;
    this.problem = problem || {};
  }
}

function readable(status, p) {
  if (p && (p.detail || p.title)) return p.detail || p.title;
  if (status === 0) return 'The server cannot be reached. Check that it is running, then try again.';
  if (status >= 500) return `The server failed to answer (HTTP ${status}). Try again; if it persists, see the server log.`;
  return `The request was refused (HTTP ${status}).`;
}

function cookie(name) {
  const m = document.cookie.split('; ').find(c => c.startsWith(name + '='));
  return m ? decodeURIComponent(m.substring(name.length + 1)) : null;
}

let onUnauthenticated = () => {};
/** Called with no argument when an API call answers 401 (not logged in, or the session expired). */
export function whenUnauthenticated(fn) { onUnauthenticated = fn; }

async function send(method, path, body, form) {
  const headers = { 'Accept': 'application/json, application/problem+json' };
  if (method !== 'GET') {
    const token = csrf || cookie('XSRF-TOKEN');
    if (token) headers['X-XSRF-TOKEN'] = token;
  }
  let payload;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && !String(path).endsWith('/login')) onUnauthenticated();
    throw err;
  }
  return data;
}

function url(path, query) {
  const u = new URL(path, BASE);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

export const api = {
  get: (path, query) => send('GET', url(path, query)),
  post: (path, body) => send('POST', url(path), body === undefined ? {} : body),
  patch: (path, body) => send('PATCH', url(path), body),
  put: (path, body) => send('PUT', url(path), body),
  del: path => send('DELETE', url(path)),
  /** Who is logged in; also (re)reads the CSRF token, which changes at login. */
  async session() {
    const s = await send('GET', url('session'));
    csrf = s.csrfToken || null;
    return s;
  },
  async login(username, password) {
    await this.session(); // the login post needs the token of the anonymous session
    await send('POST', new URL('login', document.baseURI), undefined, { username, password });
    return this.session();
  },
  async logout() {
    try { await send('POST', new URL('logout', document.baseURI)); } finally { csrf = null; }
  },
};

/** Path segment encoding for ids, keys and topics taken from the user or the server. */
export const seg = s => encodeURIComponent(s);
