// The console's shell: session, navigation (the route and its filters live in the URL's hash, so any view can be
// shared as a link), and one page at a time. Pages are in pages.js; they read and change only through the admin API.
import { api, whenUnauthenticated } from './api.js';
import { h, clearAlerts, notify } from './ui.js';
import { pages } from './pages.js';

const state = { session: null, generation: 0, timers: [], afterLogin: null };

/** What a page gets: the route, the user's rights, and timers that stop when the user leaves the page. */
function context(route) {
  const gen = ++state.generation;
  const roles = state.session ? state.session.roles : [];
  const ctx = {
    route,
    params: route.params,
    user: state.session ? state.session.username : null,
    isAdmin: roles.includes('ADMIN'),
    canOperate: roles.includes('ADMIN') || roles.includes('OPERATOR'),
    alive: () => gen === state.generation,
    every(ms, fn) {
      const t = setInterval(() => { if (ctx.alive() && !document.hidden) fn(); }, ms);
      state.timers.push(t);
    },
    go,
    render(...nodes) { if (ctx.alive()) document.getElementById('main').replaceChildren(...nodes.filter(n => n !== null && n !== undefined && n !== false)); },
  };
  return ctx;
}

/** The route of the current hash: "#/messages/123?x=1" -> {page: "messages", id: "123", params}. */
function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || 'overview', id: parts[1] || null, params: new URLSearchParams(query || ''), raw };
}

/** Navigates to a page with parameters (empty ones left out). */
export function go(page, params, id) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const target = '#/' + page + (id ? '/' + encodeURIComponent(id) : '') + (q.toString() ? '?' + q : '');
  if (location.hash === target) show(); else location.hash = target;
}

async function show() {
  state.timers.forEach(clearInterval);
  state.timers = [];
  const route = parse();
  if (!state.session || !state.session.authenticated) {
    if (route.page !== 'login') state.afterLogin = route.raw;
    return loginPage(route.page === 'login' ? null : undefined);
  }
  if (route.page === 'login') return go('overview');
  document.getElementById('top').hidden = false;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('current', a.dataset.page === route.page);
    if (a.dataset.page === route.page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const page = pages[route.page];
  const ctx = context(route);
  if (!page) {
    return ctx.render(h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', h('a', { href: '#/overview' }, 'Overview')));
  }
  document.title = `${page.title} · Hourglass`;
  const started = performance.now();
  try {
    await page.render(ctx, route.id);
    if (!ctx.alive()) return; // the user went elsewhere while this page loaded
    // when the page was drawn, and how long it took from the click: read by the browser tests and the list benchmark
    document.body.dataset.rendered = route.raw;
    document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  } catch (e) {
    if (e && e.status === 401) return;
    ctx.render(h('h1', {}, page.title), h('div.banner.bad', { role: 'alert' }, e && e.message ? e.message : String(e)));
  }
}

function loginPage(reason) {
  state.generation++;
  document.getElementById('top').hidden = true;
  document.title = 'Log in · Hourglass';
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { id: 'login-error', class: 'banner bad', role: 'alert', hidden: !reason }, reason || '');
  const button = h('button', { type: 'submit', id: 'login-submit' }, 'Log in');
  const form = h('form', {
    onsubmit: async e => {
      e.preventDefault();
      button.disabled = true;
      try {
        state.session = await api.login(user.value, pass.value);
        clearAlerts();
        renderWho();
        const back = state.afterLogin;
        state.afterLogin = null;
        if (back && !back.startsWith('login')) location.hash = '#/' + back; else go('overview');
        show();
      } catch (err) {
        error.textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    },
  },
  h('label', { for: 'username' }, 'Username', user),
  h('label', { for: 'password' }, 'Password', pass),
  button);
  document.getElementById('main').replaceChildren(h('div.login.card', {},
    h('h1', {}, h('span.mark', { 'aria-hidden': 'true' }), ' Hourglass console'), error, form,
    h('p.muted.small', {}, 'The first admin\'s password is in data/admin-initial-password on the server.')));
}

function renderWho() {
  const s = state.session;
  document.getElementById('who').replaceChildren(s.username, h('span.role', { id: 'role' }, s.roles.join(', ')));
}

whenUnauthenticated(() => {
  if (state.session && state.session.authenticated) {
    state.session = null;
    state.afterLogin = parse().raw;
    clearAlerts();
    loginPage('Your session has expired. Log in again.');
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  try { await api.logout(); } catch (e) { /* logged out anyway */ }
  state.session = { authenticated: false, roles: [] };
  clearAlerts();
  await api.session().catch(() => null);
  location.hash = '#/login';
  loginPage(null);
});

window.addEventListener('hashchange', () => { clearAlerts(); show(); });

(async function start() {
  try {
    state.session = await api.session();
  } catch (e) {
    notify(e.message);
    state.session = { authenticated: false, roles: [] };
  }
  if (state.session.authenticated) renderWho();
  show();
})();
