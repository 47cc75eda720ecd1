// The console's pages. Each reads one page of data from the admin API (never "everything"), renders it, and acts
// through the same API; the role decides which controls exist at all (the API refuses them anyway).
import { api, seg } from './api.js';
import {
  h, when, ago, fmtNum, fmtRate, fmtMs, fmtBytes, toLocalInput, fromLocalInput, field, stat, table, notify, attempt,
  confirmAction, colourOf, lineChart, barChart,
} from './ui.js';

const STATES = ['SCHEDULED', 'FIRING', 'DELIVERED', 'CANCELLED', 'DEAD', 'EXPIRED'];
const PAGE_SIZE = 50;
const badge = st => h('span.badge.' + st, {}, st);
const appLink = a => h('a', { href: '#/apps/' + seg(a), onclick: e => e.stopPropagation() }, a);

const REFRESH_MS = 10_000;

/** Loads and draws a page, then again every 10 s while it is shown (a failed refresh keeps what is shown). */
async function refreshing(ctx, load, draw) {
  draw(await load());
  ctx.every(REFRESH_MS, () => load().then(d => { if (ctx.alive()) draw(d); }).catch(() => null));
}

// ---------------------------------------------------------------- overview

async function overview(ctx) {
  const range = ctx.params.get('range') || '24h';
  const metric = ctx.params.get('metric') || 'submitted';
  const hours = { '6h': 6, '24h': 24, '7d': 168 }[range] || 24;
  const load = async () => {
    const now = Date.now();
    const [ov, stats, cluster, live] = await Promise.all([
      api.get('overview'), api.get('stats', { from: now - hours * 3_600_000, to: now }), api.get('cluster'),
      api.get('live').catch(() => null)]);
    return { ov, stats, cluster, live };
  };
  const draw = ({ ov, stats, cluster, live }) => {
    const p = ov.pending, st = ov.states;
    const banners = [];
    for (const n of cluster.nodes.filter(n => !n.up)) {
      banners.push(h('div.banner.bad', { class: 'banner-node-down' }, `Server ${n.nodeId} (${n.address}) is down: last heartbeat `, when(n.lastHeartbeat), ` (${ago(n.lastHeartbeat)}).`));
    }
    if (cluster.unownedSlots > 0) {
      banners.push(h('div.banner.bad', { class: 'banner-unowned' }, `${cluster.unownedSlots} of ${cluster.slotCount} slots have no owner: their messages do not fire until a server takes them. `, h('a', { href: '#/cluster' }, 'Cluster')));
    }
    if (live && live.emitFailures > 0) {
      banners.push(h('div.banner.warn', { class: 'banner-emit' }, `Delivery errors: ${fmtNum(live.emitFailures)} failed emits (Kafka or callbacks) in the last ${live.windowSeconds} s on ${live.nodeId}; they are retried with backoff.`));
    }
    if (live && live.earlyTotal > 0) {
      banners.push(h('div.banner.bad', {}, `${fmtNum(live.earlyTotal)} messages were emitted before their due time. This must never happen: report it.`));
    }
    const cards = h('div.grid', {},
      stat('Pending', fmtNum(p.total), null, 'stat-pending'),
      stat('Due ≤ 1 min', fmtNum(p.within1m)),
      stat('Due ≤ 1 h', fmtNum(p.within1h)),
      stat('Due ≤ 24 h', fmtNum(p.within24h)),
      stat('Due later', fmtNum(p.later)),
      stat('Fired / s', live ? fmtRate(live.firedPerSecond) : '–'),
      stat('Lateness p50', live ? fmtMs(live.latenessP50Ms) : '–'),
      stat('Lateness p99', live ? fmtMs(live.latenessP99Ms) : '–'),
      stat('Early fires', live ? fmtNum(live.earlyTotal) : '–', live && live.earlyTotal > 0 ? 'bad' : 'good', 'stat-early'),
      stat('DEAD', fmtNum(st.DEAD), st.DEAD > 0 ? 'bad' : null, 'stat-dead'));

    const perApp = new Map();
    for (const c of p.byAppAndTopic) {
      const a = perApp.get(c.appKey) || { appKey: c.appKey, pending: 0, submitted: 0, fired: 0, dead: 0 };
      a.pending += c.within1m + c.within1h + c.within24h + c.later;
      perApp.set(c.appKey, a);
    }
    const series = new Map();
    for (const pt of stats.points) {
      const a = perApp.get(pt.appKey) || { appKey: pt.appKey, pending: 0, submitted: 0, fired: 0, dead: 0 };
      a.submitted += pt.submitted; a.fired += pt.fired; a.dead += pt.dead;
      perApp.set(pt.appKey, a);
      if (!series.has(pt.appKey)) series.set(pt.appKey, new Map());
      series.get(pt.appKey).set(pt.bucketStart, pt[metric] || 0);
    }
    const apps = [...perApp.values()].sort((a, b) => b.submitted - a.submitted || b.pending - a.pending);
    const top = apps.filter(a => series.has(a.appKey)).slice(0, 8).map(a => a.appKey);
    const now = Date.now(), bucket = stats.bucketMs;
    const first = Math.floor((now - hours * 3_600_000) / bucket) * bucket;
    const lines = top.map(a => {
      const pts = [];
      for (let t = first; t <= now; t += bucket) pts.push([t, series.get(a).get(t) || 0]);
      return { name: a, points: pts };
    });
    const hist = live && live.latenessHistogram ? live.latenessHistogram.map(b => ({
      label: b.leMs === null ? '> ' + fmtMs(live.latenessHistogram[live.latenessHistogram.length - 2]?.leMs ?? 0) : '≤ ' + fmtMs(b.leMs),
      value: b.count,
    })) : [];
    const tabs = (key, values, current) => h('div.tabs', {}, values.map(([v, label]) => h('a', {
      href: '#/overview?' + new URLSearchParams({ range, metric, [key]: v }), class: v === current ? 'current' : null,
    }, label)));
    ctx.render(h('h1', {}, 'Overview'), ...banners, cards,
      h('div.cols', {},
        h('div.card', {}, h('h2', {}, `Per app, per 10 minutes (${metric})`),
          tabs('range', [['6h', '6 h'], ['24h', '24 h'], ['7d', '7 days']], range),
          tabs('metric', [['submitted', 'Submitted'], ['fired', 'Fired'], ['dead', 'Dead']], metric),
          lineChart(lines, { label: `${metric} per app per 10 minutes` })),
        h('div.card', {}, h('h2', {}, 'Lateness of fires, last minute'),
          h('p.muted.small', {}, live ? `On ${live.nodeId}: emit time minus due time of the messages fired in the last ${live.windowSeconds} s.` : 'Not available.'),
          barChart(hist, { label: 'lateness histogram' }))),
      h('h2', {}, `Apps (last ${range === '7d' ? '7 days' : range.replace('h', ' h')})`),
      table([
        { title: 'App', cell: a => appLink(a.appKey) },
        { title: 'Submitted', cls: 'num', cell: a => fmtNum(a.submitted) },
        { title: 'Fired', cls: 'num', cell: a => fmtNum(a.fired) },
        { title: 'Dead', cls: 'num', cell: a => fmtNum(a.dead) },
        { title: 'Pending', cls: 'num', cell: a => fmtNum(a.pending) },
      ], apps, { empty: 'No app has submitted in this range.', id: 'apps-activity' }),
      h('p.muted.small', {}, 'Counts refresh every 10 s; pending counts are at most 5 s old (counted at ', when(p.countedAt), ').'));
  };
  await refreshing(ctx, load, draw);
}

// ---------------------------------------------------------------- messages

function filtersOf(params) {
  const f = {};
  for (const k of ['state', 'appKey', 'topic', 'key', 'dueFrom', 'dueTo', 'cursor']) if (params.get(k)) f[k] = params.get(k);
  if (!f.state) f.state = 'SCHEDULED';
  return f;
}

function messageFilterForm(ctx, f, page) {
  const appKey = h('input', { id: 'f-app', name: 'appKey', value: f.appKey || '' });
  const topic = h('input', { id: 'f-topic', name: 'topic', value: f.topic || '' });
  const key = h('input', { id: 'f-key', name: 'key', value: f.key || '' });
  const id = h('input', { id: 'f-id', name: 'id', placeholder: 'opens the message' });
  const from = h('input', { id: 'f-from', type: 'datetime-local', step: 1, value: toLocalInput(f.dueFrom) });
  const to = h('input', { id: 'f-to', type: 'datetime-local', step: 1, value: toLocalInput(f.dueTo) });
  return h('form.filters.card', {
    onsubmit: e => {
      e.preventDefault();
      if (id.value.trim()) return ctx.go('messages', {}, id.value.trim());
      ctx.go(page, {
        state: f.state, appKey: appKey.value.trim(), topic: topic.value.trim(), key: key.value.trim(),
        dueFrom: fromLocalInput(from.value), dueTo: fromLocalInput(to.value),
      });
    },
  },
  field('App', appKey), field('Topic', topic), field('Key', key), field('Id', id),
  field('Due from (your time)', from), field('Due before (your time)', to),
  h('div', {}, h('button', { type: 'submit', id: 'search' }, 'Search'), ' ',
    h('button.secondary', { type: 'button', onclick: () => ctx.go(page, { state: f.state }) }, 'Clear')));
}

/** Polls a background job until it ends, showing its progress in `box`. */
function follow(ctx, job, box, done) {
  const show = j => box.replaceChildren(h('div.banner.' + (j.state === 'FAILED' ? 'bad' : j.state === 'SUCCEEDED' ? 'ok' : 'warn'),
    { id: 'job-progress', 'data-state': j.state },
    `Job ${j.type} ${j.state.toLowerCase()}: ${fmtNum(j.done)} done, ${fmtNum(j.failed)} failed of ${fmtNum(j.matched)} matched`,
    j.error ? ` — ${j.error}` : '', j.state === 'SUCCEEDED' || j.state === 'FAILED' ? '.' : '…'));
  show(job);
  const poll = async () => {
    if (!ctx.alive()) return;
    const j = await api.get('jobs/' + seg(job.id)).catch(() => null);
    if (!j) return;
    show(j);
    if (j.state === 'SUCCEEDED' || j.state === 'FAILED') { if (done) done(j); } else setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
}

async function messages(ctx, id) {
  if (id) return messageDetail(ctx, id);
  const f = filtersOf(ctx.params);
  const started = performance.now();
  const page = await api.get('messages', { ...f, limit: PAGE_SIZE });
  const jobBox = h('div');
  const tabs = h('div.tabs', { role: 'tablist' }, STATES.map(s => h('a', {
    href: '#/messages?' + new URLSearchParams({ ...f, cursor: '', state: s }).toString().replace(/cursor=&?/, ''),
    class: s === f.state ? 'current' : null, role: 'tab', 'aria-selected': s === f.state ? 'true' : 'false',
  }, s)));
  const narrowed = f.appKey || f.topic || f.key || f.dueFrom || f.dueTo;
  const bulk = [];
  if (ctx.canOperate && narrowed && f.state === 'SCHEDULED') {
    bulk.push(h('button.danger', { type: 'button', id: 'bulk-cancel', onclick: async () => {
      if (!await confirmAction('Cancel every matching message?', `Every SCHEDULED message matching this filter is cancelled (${describe(f)}). They will never fire. This cannot be undone.`, { confirmLabel: 'Cancel them all' })) return;
      const job = await attempt(() => api.post('messages/bulk-cancel', bulkFilter(f)));
      if (job) follow(ctx, job, jobBox);
    } }, 'Cancel all matching…'));
  }
  if (ctx.canOperate && narrowed && f.state === 'DEAD') {
    bulk.push(redriveAllButton(ctx, f, jobBox));
  }
  ctx.render(h('h1', {}, 'Messages'), tabs, messageFilterForm(ctx, f, 'messages'), jobBox,
    h('div.actions', {}, bulk),
    messageTable(ctx, page.items),
    pager(ctx, 'messages', f, page.next),
    h('p.muted.small', { id: 'timing' }, `${page.items.length} shown, read in ${Math.round(performance.now() - started)} ms.`));
}

const describe = f => ['appKey', 'topic', 'key'].filter(k => f[k]).map(k => `${k} = ${f[k]}`)
  .concat(f.dueFrom ? [`due from ${new Date(+f.dueFrom).toLocaleString()}`] : [])
  .concat(f.dueTo ? [`due before ${new Date(+f.dueTo).toLocaleString()}`] : []).join(', ');

const bulkFilter = f => ({
  appKey: f.appKey || null, topic: f.topic || null, key: f.key || null,
  dueFrom: f.dueFrom ? Number(f.dueFrom) : null, dueTo: f.dueTo ? Number(f.dueTo) : null,
});

function redriveAllButton(ctx, f, jobBox, label = 'Redrive all matching…') {
  return h('button', { type: 'button', class: 'redrive-all', onclick: async () => {
    if (!await confirmAction('Redrive every matching DEAD message?', `Every DEAD message matching ${describe(f)} is scheduled again now, with its attempts back to 0.`, { confirmLabel: 'Redrive them all', danger: false })) return;
    const job = await attempt(() => api.post('messages/bulk-redrive', bulkFilter(f)));
    if (job) follow(ctx, job, jobBox, () => ctx.go('dead-letters', { appKey: f.appKey, topic: f.topic }));
  } }, label);
}

function messageTable(ctx, items) {
  return table([
    { title: 'Id', cell: m => h('a.mono', { href: '#/messages/' + seg(m.id), class: 'message-id' }, m.id) },
    { title: 'App', cell: m => m.appKey },
    { title: 'Topic', cell: m => m.topic },
    { title: 'Key', cls: 'hide-narrow wrap', cell: m => m.key || '' },
    { title: 'Due', cell: m => when(m.deliverAt) },
    { title: 'State', cell: m => badge(m.state) },
    { title: 'Attempts', cls: 'num hide-narrow', cell: m => m.attempts },
    { title: 'Payload', cls: 'hide-narrow wrap', cell: m => (m.payload || '').substring(0, 60) + ((m.payload || '').length > 60 || m.payloadTruncated ? '…' : '') },
  ], items, { onRow: m => ctx.go('messages', {}, m.id), empty: 'No message matches.', id: 'messages' });
}

function pager(ctx, page, f, next) {
  return h('div.pager', {},
    f.cursor ? h('button.secondary', { type: 'button', onclick: () => history.back() }, '← Previous') : null,
    f.cursor ? h('button.secondary', { type: 'button', onclick: () => ctx.go(page, { ...f, cursor: '' }) }, 'First page') : null,
    next ? h('button.secondary', { type: 'button', id: 'next-page', onclick: () => ctx.go(page, { ...f, cursor: next }) }, 'Next →')
      : h('span.muted.small', {}, 'End of the results.'));
}

async function messageDetail(ctx, id) {
  const m = await api.get('messages/' + seg(id));
  const act = async (title, text, call, label, danger = true) => {
    if (!await confirmAction(title, text, { confirmLabel: label, danger })) return;
    const r = await attempt(call);
    if (r !== undefined) { notify(`${label}: done.`, 'ok'); ctx.go('messages', {}, id); }
  };
  const actions = [];
  if (ctx.canOperate && m.state === 'SCHEDULED') {
    actions.push(h('button.danger', { type: 'button', id: 'cancel', onclick: () => act('Cancel this message?',
      `Message ${m.id} (${m.topic}) will never fire.`, () => api.post(`messages/${seg(id)}/cancel`), 'Cancel message') }, 'Cancel'));
    const at = h('input', { id: 'retime-at', type: 'datetime-local', step: 1, value: toLocalInput(m.deliverAt) });
    actions.push(h('button.secondary', { type: 'button', id: 'retime', onclick: async () => {
      if (!await confirmAction('Re-time this message?', 'Its new due time, in your time zone:', { confirmLabel: 'Re-time', extra: field('Due at', at), danger: false })) return;
      const t = fromLocalInput(at.value);
      if (t === null) return notify('Choose a due time.');
      const r = await attempt(() => api.patch('messages/' + seg(id), { deliverAt: t }));
      if (r) { notify('Re-timed.', 'ok'); ctx.go('messages', {}, id); }
    } }, 'Re-time…'));
    actions.push(h('button.secondary', { type: 'button', id: 'deliver-now', onclick: () => act('Deliver this message now?',
      'It is re-timed to now and fires at once.', () => api.post(`messages/${seg(id)}/deliver-now`), 'Deliver now', false) }, 'Deliver now'));
  }
  if (ctx.canOperate && m.state === 'DEAD') {
    actions.push(h('button', { type: 'button', id: 'redrive', onclick: () => act('Redrive this message?',
      'It is scheduled again now with its attempts back to 0.', () => api.post(`messages/${seg(id)}/redrive`), 'Redrive', false) }, 'Redrive'));
    actions.push(h('button.danger', { type: 'button', id: 'purge', onclick: async () => {
      if (!await confirmAction('Delete this dead message?', 'It is removed from the store for good.', { confirmLabel: 'Purge' })) return;
      const r = await attempt(() => api.post(`messages/${seg(id)}/purge`).then(() => true));
      if (r) { notify('Purged.', 'ok'); ctx.go('dead-letters'); }
    } }, 'Purge'));
  }
  if (ctx.canOperate && m.state === 'DELIVERED') {
    actions.push(h('button.secondary', { type: 'button', id: 'replay', onclick: () => act('Emit this message again?',
      'It is emitted to its target again with the header x-delay-replay: true.', () => api.post(`messages/${seg(id)}/replay`), 'Replay', false) }, 'Replay'));
  }
  const headers = Object.entries(m.headers || {});
  ctx.render(
    h('p', {}, h('a', { href: '#/messages?' + new URLSearchParams({ state: m.state, appKey: m.appKey, topic: m.topic }) }, '← Messages')),
    h('h1', {}, 'Message ', h('span.mono', { id: 'message-id' }, m.id), ' ', h('span', { id: 'message-state' }, badge(m.state))),
    h('div.actions', {}, actions),
    h('div.card', {}, h('dl.kv', {},
      h('dt', {}, 'App'), h('dd', {}, appLink(m.appKey)),
      h('dt', {}, 'Topic'), h('dd', {}, m.topic),
      h('dt', {}, 'Key'), h('dd', {}, m.key || '–'),
      h('dt', {}, 'Due'), h('dd', {}, when(m.deliverAt), ' ', h('span.muted', {}, `(${ago(m.deliverAt)})`)),
      h('dt', {}, 'Repeats every'), h('dd', {}, m.repeatIntervalMs ? fmtMs(m.repeatIntervalMs) : '–'),
      h('dt', {}, 'Expires'), h('dd', {}, m.expiresAt ? when(m.expiresAt) : '–'),
      h('dt', {}, 'Attempts'), h('dd', { id: 'attempts' }, m.attempts),
      h('dt', {}, 'Last error'), h('dd', { id: 'last-error' }, m.lastError || '–'),
      h('dt', {}, 'Created'), h('dd', {}, when(m.createdAt)),
      h('dt', {}, 'Updated'), h('dd', {}, when(m.updatedAt)),
      h('dt', {}, 'Slot · version'), h('dd', {}, `${m.slot} · ${m.version}`))),
    h('h2', {}, 'Headers'),
    table([{ title: 'Name', cell: e => h('span.mono', {}, e[0]) }, { title: 'Value', cls: 'wrap', cell: e => e[1] }], headers, { empty: 'No headers.' }),
    h('h2', {}, 'Payload'), h('pre', { id: 'payload' }, m.payload));
}

// ---------------------------------------------------------------- dead letters

async function deadLetters(ctx) {
  const f = { appKey: ctx.params.get('appKey') || '', topic: ctx.params.get('topic') || '', state: 'DEAD' };
  const [groups, page] = await Promise.all([
    api.get('dead-letters', { appKey: f.appKey, topic: f.topic }),
    api.get('messages', { ...f, cursor: ctx.params.get('cursor'), limit: 20 })]);
  const jobBox = h('div');
  const appKey = h('input', { id: 'd-app', value: f.appKey });
  const topic = h('input', { id: 'd-topic', value: f.topic });
  const filter = h('form.filters.card', { onsubmit: e => { e.preventDefault(); ctx.go('dead-letters', { appKey: appKey.value.trim(), topic: topic.value.trim() }); } },
    field('App', appKey), field('Topic', topic), h('div', {}, h('button', { type: 'submit' }, 'Filter')));
  const purgeAll = g => async () => {
    const ff = { appKey: g.appKey, topic: g.topic };
    if (!await confirmAction('Delete every DEAD message of this app and topic?', `All DEAD messages of ${g.appKey} on ${g.topic} are removed for good, whatever their error.`, { confirmLabel: 'Purge them all' })) return;
    const job = await attempt(() => api.post('messages/bulk-purge', ff));
    if (job) follow(ctx, job, jobBox, () => ctx.go('dead-letters', { appKey: f.appKey, topic: f.topic }));
  };
  const rowActions = (m) => !ctx.canOperate ? '' : h('span', {},
    h('button.secondary', { type: 'button', class: 'redrive-one', onclick: async e => {
      e.stopPropagation();
      if (!await confirmAction('Redrive this message?', `${m.id} is scheduled again now.`, { confirmLabel: 'Redrive', danger: false })) return;
      if (await attempt(() => api.post(`messages/${seg(m.id)}/redrive`))) { notify('Redriven.', 'ok'); ctx.go('dead-letters', { appKey: f.appKey, topic: f.topic, t: Date.now() }); }
    } }, 'Redrive'), ' ',
    h('button.danger', { type: 'button', class: 'purge-one', onclick: async e => {
      e.stopPropagation();
      if (!await confirmAction('Delete this dead message?', `${m.id} is removed for good.`, { confirmLabel: 'Purge' })) return;
      if (await attempt(() => api.post(`messages/${seg(m.id)}/purge`).then(() => true))) { notify('Purged.', 'ok'); ctx.go('dead-letters', { appKey: f.appKey, topic: f.topic, t: Date.now() }); }
    } }, 'Purge'));
  ctx.render(h('h1', {}, 'Dead letters'),
    h('p.muted', {}, `${fmtNum(groups.totalDead)} DEAD messages in all. Grouped by app, topic and last error`,
      groups.complete ? '' : ` (the first ${fmtNum(groups.scanned)} scanned; narrow the filter for exact counts)`, '.'),
    filter, jobBox,
    table([
      { title: 'App', cell: g => appLink(g.appKey) },
      { title: 'Topic', cell: g => g.topic },
      { title: 'Last error', cls: 'wrap', cell: g => g.lastError || '–' },
      { title: 'Messages', cls: 'num', cell: g => fmtNum(g.count) },
      { title: 'Due between', cls: 'hide-narrow', cell: g => h('span', {}, when(g.firstDueAt), ' – ', when(g.lastDueAt)) },
      { title: '', cell: g => h('span', {},
        h('a', { href: '#/messages?' + new URLSearchParams({ state: 'DEAD', appKey: g.appKey, topic: g.topic }) }, 'Browse'), ' ',
        ctx.canOperate ? redriveAllButton(ctx, g, jobBox, 'Redrive all') : null, ' ',
        ctx.canOperate ? h('button.danger', { type: 'button', class: 'purge-all', onclick: purgeAll(g) }, 'Purge all') : null) },
    ], groups.groups, { empty: 'No dead letters.', id: 'dead-groups' }),
    h('h2', {}, 'Dead messages'),
    table([
      { title: 'Id', cell: m => h('a.mono', { href: '#/messages/' + seg(m.id) }, m.id) },
      { title: 'App', cell: m => m.appKey },
      { title: 'Topic', cell: m => m.topic },
      { title: 'Due', cls: 'hide-narrow', cell: m => when(m.deliverAt) },
      { title: 'Last error', cls: 'wrap hide-narrow', cell: m => m.lastError || '–' },
      { title: '', cell: rowActions },
    ], page.items, { onRow: m => ctx.go('messages', {}, m.id), empty: 'None.', id: 'dead-messages' }),
    page.next ? h('div.pager', {}, h('button.secondary', { type: 'button', onclick: () => ctx.go('dead-letters', { ...f, state: '', cursor: page.next }) }, 'Next →')) : null);
}

// ---------------------------------------------------------------- apps & keys

function secretBox(title, secret, note) {
  const value = h('div.secret', { id: 'secret' }, secret);
  const copy = h('button.secondary', { type: 'button', id: 'copy-secret', onclick: async () => {
    try { await navigator.clipboard.writeText(secret); copy.textContent = 'Copied'; } catch (e) {
      const r = document.createRange(); r.selectNodeContents(value);
      getSelection().removeAllRanges(); getSelection().addRange(r); copy.textContent = 'Selected: press Ctrl+C';
    }
  } }, 'Copy');
  return h('div.card', { id: 'secret-card' }, h('h2', {}, title),
    h('div.banner.warn', {}, 'Copy this secret now: it is shown this once and cannot be read again (only a hash is kept). ', note || ''),
    value, h('div.actions', {}, copy));
}

async function apps(ctx, appKey) {
  if (appKey) return appDetail(ctx, appKey);
  const after = ctx.params.get('after') || '';
  const list = h('div');
  const loadList = async () => {
    const page = await api.get('apps', { after, limit: PAGE_SIZE });
    list.replaceChildren(table([
      { title: 'App', cell: a => h('a', { href: '#/apps/' + seg(a.appKey), class: 'app-link' }, a.appKey) },
      { title: 'Name', cls: 'hide-narrow', cell: a => a.name || '' },
      { title: 'Owner', cls: 'hide-narrow', cell: a => a.owner || '' },
      { title: 'State', cell: a => a.enabled ? h('span.badge.up', {}, 'enabled') : h('span.badge.down', {}, 'disabled') },
      { title: 'Topics', cls: 'wrap', cell: a => [...a.topics].join(', ') || '–' },
      { title: 'Quotas', cls: 'hide-narrow', cell: a => quotaSummary(a.quotas) },
    ], page.items, { onRow: a => ctx.go('apps', {}, a.appKey), id: 'apps' }),
    h('div.pager', {},
      after ? h('button.secondary', { type: 'button', onclick: () => history.back() }, '← Previous') : null,
      page.next ? h('button.secondary', { type: 'button', onclick: () => ctx.go('apps', { after: page.next }) }, 'Next →') : null));
  };
  await loadList();
  const created = h('div');
  const parts = [h('h1', {}, 'Apps & keys')];
  if (ctx.isAdmin) {
    const key = h('input', { id: 'new-app-key', required: true, placeholder: 'orders' });
    const name = h('input', { id: 'new-app-name' });
    const owner = h('input', { id: 'new-app-owner' });
    const description = h('input', { id: 'new-app-description' });
    const box = h('details.card', { id: 'create-app' }, h('summary', {}, 'Create an app'),
      h('form.filters', { onsubmit: async e => {
        e.preventDefault();
        const r = await attempt(() => api.post('apps', { appKey: key.value.trim(), name: name.value || key.value.trim(), owner: owner.value, description: description.value }));
        if (r) {
          created.replaceChildren(secretBox(`App ${r.app.appKey} created: its secret`, r.secret, 'Clients send it as X-App-Secret with X-App-Key.'),
            h('p', {}, h('a', { href: '#/apps/' + seg(r.app.appKey) }, `Go to ${r.app.appKey} to allow it topics →`)));
          for (const input of [key, name, owner, description]) input.value = '';
          box.open = false;
          await attempt(loadList);
        }
      } }, field('App key', key, 'letters, digits, . _ -'), field('Name', name), field('Owner', owner),
      field('Description', description), h('div', {}, h('button', { type: 'submit', id: 'create-app-submit' }, 'Create'))));
    parts.push(box);
  }
  ctx.render(...parts, created, list);
}

const quotaSummary = q => {
  const parts = [];
  if (q.submitsPerSecond) parts.push(`${fmtNum(q.submitsPerSecond)}/s`);
  if (q.maxPending) parts.push(`${fmtNum(q.maxPending)} pending`);
  if (q.maxPayloadBytes) parts.push(`${fmtNum(q.maxPayloadBytes)} B`);
  if (q.minRepeatIntervalMs) parts.push(`repeat ≥ ${fmtMs(q.minRepeatIntervalMs)}`);
  return parts.join(' · ') || 'none';
};

async function appDetail(ctx, appKey) {
  const a = await api.get('apps/' + seg(appKey));
  const reload = () => ctx.go('apps', { t: Date.now() }, appKey);
  const shown = h('div');
  const parts = [h('p', {}, h('a', { href: '#/apps' }, '← Apps')),
    h('h1', {}, 'App ', h('span.mono', {}, a.appKey), ' ', a.enabled ? h('span.badge.up', { id: 'app-state' }, 'enabled') : h('span.badge.down', { id: 'app-state' }, 'disabled')),
    shown];
  if (a.previousSecretValidUntil) {
    parts.push(h('div.banner.warn', {}, 'The previous secret still works until ', when(a.previousSecretValidUntil), ` (${ago(a.previousSecretValidUntil)}).`));
  }
  const ro = !ctx.canOperate;
  const name = h('input', { id: 'app-name', value: a.name || '', disabled: ro });
  const owner = h('input', { id: 'app-owner', value: a.owner || '', disabled: ro });
  const description = h('input', { id: 'app-description', value: a.description || '', disabled: ro });
  parts.push(h('div.card', {}, h('h2', {}, 'Details'), h('form.filters', { onsubmit: async e => {
    e.preventDefault();
    if (await attempt(() => api.patch('apps/' + seg(appKey), { name: name.value, owner: owner.value, description: description.value }))) { notify('Saved.', 'ok'); reload(); }
  } }, field('Name', name), field('Owner', owner), field('Description', description),
  ro ? null : h('div', {}, h('button', { type: 'submit' }, 'Save'))),
  h('p.muted.small', {}, 'Created ', when(a.createdAt), ' · updated ', when(a.updatedAt))));

  const q = a.quotas;
  const qi = (id, v) => h('input', { id, type: 'number', min: 0, step: 1, value: v, disabled: ro });
  const qRate = qi('q-rate', q.submitsPerSecond), qPending = qi('q-pending', q.maxPending),
    qPayload = qi('q-payload', q.maxPayloadBytes), qRepeat = qi('q-repeat', q.minRepeatIntervalMs);
  parts.push(h('div.card', {}, h('h2', {}, 'Quotas'), h('p.muted.small', {}, '0 means no limit of the app\'s own (the server-wide limits still hold).'),
    h('form.filters', { onsubmit: async e => {
      e.preventDefault();
      const quotas = { submitsPerSecond: +qRate.value, maxPending: +qPending.value, maxPayloadBytes: +qPayload.value, minRepeatIntervalMs: +qRepeat.value };
      if (await attempt(() => api.patch('apps/' + seg(appKey), { quotas }))) { notify('Quotas saved.', 'ok'); reload(); }
    } }, field('Submits per second', qRate), field('Max pending', qPending), field('Max payload bytes', qPayload),
    field('Min repeat interval (ms)', qRepeat), ro ? null : h('div', {}, h('button', { type: 'submit', id: 'save-quotas' }, 'Save quotas')))));

  const topic = h('input', { id: 'new-topic', placeholder: 'order-timeouts', required: true });
  parts.push(h('div.card', {}, h('h2', {}, 'Topics it may submit to'),
    table([
      { title: 'Topic', cell: t => h('span.mono', {}, t) },
      { title: '', cell: t => ro ? '' : h('button.secondary', { type: 'button', class: 'revoke-topic', onclick: async () => {
        if (!await confirmAction(`Revoke ${t}?`, `${a.appKey} can no longer submit to ${t}. Messages already scheduled still fire.`, { confirmLabel: 'Revoke' })) return;
        if (await attempt(() => api.del(`apps/${seg(appKey)}/topics/${seg(t)}`))) { notify(`${t} revoked.`, 'ok'); reload(); }
      } }, 'Revoke') },
    ], [...a.topics], { empty: 'No topic yet: this app cannot submit anything.', id: 'topics' }),
    ro ? null : h('form.actions', { onsubmit: async e => {
      e.preventDefault();
      const t = topic.value.trim();
      if (await attempt(() => api.put(`apps/${seg(appKey)}/topics/${seg(t)}`))) { notify(`${t} allowed.`, 'ok'); reload(); }
    } }, field('Topic', topic), h('button', { type: 'submit', id: 'allow-topic' }, 'Allow topic'))));

  const controls = [];
  if (ctx.canOperate) {
    if (a.enabled) {
      const cancel = h('input', { type: 'checkbox', id: 'disable-cancel' });
      controls.push(h('button.danger', { type: 'button', id: 'disable-app', onclick: async () => {
        if (!await confirmAction(`Disable ${a.appKey}?`, 'Its submits and re-times are refused (403) until it is enabled again. Its scheduled messages still fire unless you cancel them.', { confirmLabel: 'Disable', extra: h('label.inline', {}, cancel, 'Also cancel its scheduled messages') })) return;
        const r = await attempt(() => api.post(`apps/${seg(appKey)}/disable`, { cancelScheduled: cancel.checked }));
        if (r) { notify('Disabled.', 'ok'); reload(); }
      } }, 'Disable…'));
    } else {
      controls.push(h('button', { type: 'button', id: 'enable-app', onclick: async () => {
        if (await attempt(() => api.post(`apps/${seg(appKey)}/enable`))) { notify('Enabled.', 'ok'); reload(); }
      } }, 'Enable'));
    }
  }
  if (ctx.isAdmin) {
    const grace = h('input', { type: 'number', id: 'grace-hours', min: 0, max: 720, value: 24 });
    controls.push(h('button.danger', { type: 'button', id: 'rotate-secret', onclick: async () => {
      if (!await confirmAction(`Rotate the secret of ${a.appKey}?`, 'A new secret is made. The current one keeps working for the grace period, so clients can switch without downtime.', { confirmLabel: 'Rotate', extra: field('Grace period (hours)', grace) })) return;
      const r = await attempt(() => api.post(`apps/${seg(appKey)}/rotate-secret`, { graceSeconds: Math.round(Number(grace.value) * 3600) }));
      if (r) {
        shown.replaceChildren(secretBox('The new secret', r.secret, r.previousSecretValidUntil
          ? `The previous secret works until ${new Date(r.previousSecretValidUntil).toLocaleString()}.` : 'The previous secret no longer works.'));
        window.scrollTo(0, 0);
      }
    } }, 'Rotate secret…'));
  }
  if (controls.length) parts.push(h('div.card', {}, h('h2', {}, 'Access'), h('div.actions', {}, controls)));
  ctx.render(...parts);
}

// ---------------------------------------------------------------- topics

async function topics(ctx) {
  await refreshing(ctx, () => Promise.all([api.get('topics'), api.get('live').catch(() => null)]), ([list, live]) => drawTopics(ctx, list, live));
}

function drawTopics(ctx, list, live) {
  const rate = t => live && live.firedPerSecondByTopic ? live.firedPerSecondByTopic[t] || 0 : null;
  ctx.render(h('h1', {}, 'Topics'),
    h('p.muted.small', {}, live ? `Fired per second over the last ${live.windowSeconds} s on ${live.nodeId}; pending counts are cluster-wide.` : ''),
    table([
      { title: 'Topic', cell: t => h('span.mono', {}, t.topic) },
      { title: 'Pending', cls: 'num', cell: t => fmtNum(t.pending) },
      { title: 'Fired / s', cls: 'num', cell: t => fmtRate(rate(t.topic)) },
      { title: 'Apps allowed', cls: 'wrap', cell: t => h('span', {}, [...t.apps].flatMap((a, i) => [i ? ', ' : '', appLink(a),
        t.pendingByApp && t.pendingByApp[a] ? h('span.muted', {}, ` (${fmtNum(t.pendingByApp[a])})`) : '']) ) },
      { title: '', cell: t => h('a', { href: '#/messages?' + new URLSearchParams({ state: 'SCHEDULED', topic: t.topic }) }, 'Messages') },
    ], list, { empty: 'No topic is allowed to any app yet.', id: 'topics' }));
}

// ---------------------------------------------------------------- cluster

async function cluster(ctx) {
  await refreshing(ctx, () => api.get('cluster'), c => drawCluster(ctx, c));
}

function drawCluster(ctx, c) {
  const owners = [...new Set(c.slotOwners.filter(Boolean))].sort();
  const banners = [];
  if (c.unownedSlots > 0) banners.push(h('div.banner.bad', {}, `${c.unownedSlots} slots have no owner.`));
  for (const n of c.nodes.filter(n => !n.up)) banners.push(h('div.banner.bad', {}, `Server ${n.nodeId} is down: last heartbeat ${ago(n.lastHeartbeat)}.`));
  ctx.render(h('h1', {}, 'Cluster'), ...banners,
    table([
      { title: 'Server', cell: n => h('span', {}, h('i', { style: `display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;background:${colourOf(n.nodeId)}` }), n.nodeId, n.nodeId === c.self ? h('span.muted', {}, ' (answering)') : '') },
      { title: 'State', cell: n => n.up ? h('span.badge.up', {}, 'up') : h('span.badge.down', {}, 'down') },
      { title: 'Address', cls: 'hide-narrow', cell: n => n.address },
      { title: 'Version', cls: 'hide-narrow', cell: n => n.version },
      { title: 'Heartbeat', cell: n => h('span', { title: new Date(n.lastHeartbeat).toISOString() }, ago(n.lastHeartbeat)) },
      { title: 'Started', cls: 'hide-narrow', cell: n => when(n.startedAt) },
      { title: 'Slots', cls: 'num', cell: n => n.ownedSlots },
      { title: 'In wheel', cls: 'num', cell: n => fmtNum(n.inMemory) },
      { title: 'Heap', cell: n => h('div', { title: `${fmtBytes(n.heapUsed)} of ${fmtBytes(n.heapMax)}` },
        h('div.bar', {}, h('span', { style: `width:${Math.min(100, 100 * n.heapUsed / Math.max(1, n.heapMax)).toFixed(0)}%` })),
        h('span.small.muted', {}, `${fmtBytes(n.heapUsed)} / ${fmtBytes(n.heapMax)}`)) },
    ], c.nodes, { empty: 'No server has reported yet (they do every 10 s).', id: 'nodes' }),
    h('h2', {}, `Slots (${c.slotCount})`),
    h('div.legend', {}, owners.map(o => h('span', {}, h('i', { style: `background:${colourOf(o)}` }), o)),
      c.unownedSlots ? h('span', {}, h('i.slot.none', {}), 'no owner') : null),
    h('div.slots.card', { id: 'slot-grid' }, c.slotOwners.map((o, i) => h('div', {
      class: 'slot' + (o ? '' : ' none'), style: o ? `background:${colourOf(o)}33;border:1px solid ${colourOf(o)}` : null,
      title: `slot ${i}: ${o || 'no owner'}`,
    }, String(i)))),
    h('h2', {}, 'Recent rebalances'),
    table([
      { title: 'When', cell: r => when(r.at) },
      { title: 'Slots moved', cls: 'num', cell: r => r.moved },
      { title: 'Changes', cls: 'wrap', cell: r => r.changes.map(x => `${x.from || 'none'} → ${x.to || 'none'}: ${x.slots.length} (${x.slots.slice(0, 12).join(', ')}${x.slots.length > 12 ? ', …' : ''})`).join('; ') },
    ], c.rebalances || [], { empty: 'No change of ownership seen since this server started.' }));
}

// ---------------------------------------------------------------- audit

async function audit(ctx) {
  const before = ctx.params.get('before') || '';
  const target = ctx.params.get('target') || '';
  const page = await api.get('audit', { before, target, limit: PAGE_SIZE });
  const t = h('input', { id: 'audit-target', value: target, placeholder: 'app key, message id, user' });
  const json = s => { try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return s; } };
  ctx.render(h('h1', {}, 'Audit'),
    h('form.filters.card', { onsubmit: e => { e.preventDefault(); ctx.go('audit', { target: t.value.trim() }); } },
      field('Target', t), h('div', {}, h('button', { type: 'submit' }, 'Filter'))),
    table([
      { title: 'When', cell: e => when(e.at) },
      { title: 'Who', cell: e => e.actor },
      { title: 'Action', cell: e => h('span.mono', {}, e.action) },
      { title: 'Target', cls: 'wrap', cell: e => e.target },
      { title: 'Change', cls: 'wrap', cell: e => (e.before || e.after) ? h('details', {}, h('summary', {}, 'before / after'),
        e.before ? h('pre', {}, json(e.before)) : h('p.muted', {}, '(nothing before)'),
        e.after ? h('pre', {}, json(e.after)) : h('p.muted', {}, '(nothing after)')) : '' },
    ], page.items, { empty: 'Nothing recorded yet.', id: 'audit' }),
    h('div.pager', {},
      before ? h('button.secondary', { type: 'button', onclick: () => history.back() }, '← Newer') : null,
      page.next ? h('button.secondary', { type: 'button', onclick: () => ctx.go('audit', { target, before: page.next }) }, 'Older →') : null));
}

export const pages = {
  overview: { title: 'Overview', render: overview },
  messages: { title: 'Messages', render: messages },
  'dead-letters': { title: 'Dead letters', render: deadLetters },
  apps: { title: 'Apps & keys', render: apps },
  topics: { title: 'Topics', render: topics },
  cluster: { title: 'Cluster', render: cluster },
  audit: { title: 'Audit', render: audit },
};
