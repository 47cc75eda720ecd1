// DOM helpers of the console. Every text from the server goes in as a text node (never as HTML): payloads, keys and
// errors are written by clients we do not trust.

/** h('tag.class', {attr, onclick}, ...children): an element; strings and numbers become text nodes. */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.substring(2), v);
    else if (k === 'class') el.className = (el.className ? el.className + ' ' : '') + v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const fmtNum = n => (n === null || n === undefined) ? '–' : Number(n).toLocaleString();
export const fmtRate = n => (n === null || n === undefined) ? '–' : (n >= 100 ? Math.round(n).toLocaleString() : Number(n).toFixed(1));
export const fmtMs = n => (n === null || n === undefined) ? '–' : (n >= 10_000 ? (n / 1000).toFixed(1) + ' s' : Math.round(n) + ' ms');
export const fmtBytes = n => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + ' GiB' : (n / (1 << 20)).toFixed(0) + ' MiB';

const LOCAL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/** A time in the browser's zone, its UTC form on hover. */
export function when(ms) {
  if (ms === null || ms === undefined) return h('span.muted', {}, '–');
  const d = new Date(ms);
  return h('time', { datetime: d.toISOString(), title: d.toISOString().replace('T', ' ').replace('Z', ' UTC') }, LOCAL.format(d));
}

/** "3 s ago", "in 2 min" relative to now. */
export function ago(ms, now = Date.now()) {
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  const t = a < 60 ? `${a} s` : a < 3600 ? `${Math.round(a / 60)} min` : a < 86400 ? `${(a / 3600).toFixed(1)} h` : `${(a / 86400).toFixed(1)} d`;
  return s >= 0 ? `in ${t}` : `${t} ago`;
}

/** ms -> the value of an <input type="datetime-local" step="1"> in the browser's zone. */
export function toLocalInput(ms) {
  if (ms === null || ms === undefined || ms === '') return '';
  const d = new Date(Number(ms));
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The value of a datetime-local input (the browser's zone) -> epoch ms, or null when empty. */
export function fromLocalInput(v) {
  if (!v) return null;
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? null : t;
}

export function field(label, input, hint) {
  return h('label', {}, label, input, hint ? h('span.muted.small', {}, hint) : null);
}

export function stat(label, value, cls, id) {
  return h('div.stat' + (cls ? '.' + cls : ''), id ? { id } : {}, h('div.label', {}, label), h('div.value', {}, value));
}

/** A table: columns [{title, cell(row) -> node|text, cls}], rows; onRow makes rows clickable. */
export function table(columns, rows, { onRow, empty = 'Nothing to show.', id } = {}) {
  const head = h('tr', {}, columns.map(c => h('th', { class: c.cls || null, scope: 'col' }, c.title)));
  const body = rows.length === 0
    ? [h('tr', {}, h('td.muted', { colspan: columns.length }, empty))]
    : rows.map(r => h('tr', onRow ? { class: 'clickable', onclick: () => onRow(r), tabindex: 0,
        onkeydown: e => { if (e.key === 'Enter') onRow(r); } } : {},
      columns.map(c => h('td', { class: c.cls || null }, c.cell(r)))));
  return h('div.table-wrap', {}, h('table', id ? { id } : {}, h('thead', {}, head), h('tbody', {}, body)));
}

const alerts = () => document.getElementById('alerts');

/** A readable message at the top of the page (errors stay until closed; notices go after 6 s). */
export function notify(text, kind = 'bad') {
  const box = h('div.banner.' + kind, {}, h('span', {}, text),
    h('button.link', { type: 'button', 'aria-label': 'Close', onclick: () => box.remove() }, '✕'));
  alerts().appendChild(box);
  if (kind !== 'bad') setTimeout(() => box.remove(), 6000);
  return box;
}

export function clearAlerts() { alerts().replaceChildren(); }

/** Runs an action; its error becomes a readable message. Returns the result or undefined. */
export async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    if (e && e.status === 401) return undefined; // the login page takes over
    notify(e && e.message ? e.message : String(e));
    return undefined;
  }
}

/** Asks before a change: resolves true when confirmed. `extra` is an optional node (e.g. an input) shown inside. */
export function confirmAction(title, text, { confirmLabel = 'Confirm', extra = null, danger = true } = {}) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-extra').replaceChildren(...(extra ? [extra] : []));
  const yes = document.getElementById('confirm-yes');
  yes.textContent = confirmLabel;
  yes.className = danger ? 'danger' : '';
  return new Promise(resolve => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = '';
    dlg.showModal();
  });
}

const PALETTE = ['#2456c8', '#e07b00', '#1f9d55', '#c2410c', '#7c3aed', '#0891b2', '#be185d', '#65a30d', '#a16207',
  '#4338ca', '#0f766e', '#b91c1c'];
const colours = new Map();
/** A stable colour per name (node ids, apps). */
export function colourOf(name) {
  if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length]);
  return colours.get(name);
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const k of kids) el.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
  return el;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k times 4 that holds v, so that a quarter of it is a round number. */
function niceCeil(v) {
  const step = v / 4, p = Math.pow(10, Math.floor(Math.log10(step)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= step) return Math.ceil(m * p) * 4;
  return Math.ceil(step) * 4;
}

/** A line chart of series [{name, points: [[t, y]]}] over time; a plain SVG, no library. */
export function lineChart(series, { height = 220, label = 'chart' } = {}) {
  const W = 800, H = height, L = 48, R = 10, T = 10, B = 26;
  const all = series.flatMap(x => x.points);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  if (all.length === 0) {
    svg.appendChild(s('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'No data in this range'));
    return h('div.chart', {}, svg);
  }
  const x0 = Math.min(...all.map(p => p[0])), x1 = Math.max(...all.map(p => p[0]));
  const top = Math.max(...all.map(p => p[1]));
  const y1 = top <= 4 ? 4 : niceCeil(top); // four whole-number steps
  const X = t => L + (x1 === x0 ? 0.5 : (t - x0) / (x1 - x0)) * (W - L - R);
  const Y = v => T + (1 - v / y1) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = y1 * i / 4;
    svg.appendChild(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: '#eaecf0' }));
    svg.appendChild(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end' }, fmtNum(Math.round(v))));
  }
  const span = x1 - x0;
  for (let i = 0; i <= 4; i++) {
    const t = x0 + span * i / 4;
    const d = new Date(t);
    const text = span > 86_400_000 * 1.5 ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) + ' '
      + d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false })
      : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
    svg.appendChild(s('text', { x: X(t), y: H - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, text));
  }
  for (const ser of series) {
    const pts = ser.points.map(p => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
    const line = s('polyline', { points: pts, fill: 'none', stroke: colourOf(ser.name), 'stroke-width': 2 });
    line.appendChild(s('title', {}, ser.name));
    svg.appendChild(line);
  }
  const legend = h('div.legend', {}, series.map(x => h('span', {}, h('i', { style: `background:${colourOf(x.name)}` }), x.name)));
  return h('div.chart', {}, svg, legend);
}

/** A bar chart of [{label, value}]. */
export function barChart(bars, { height = 180, label = 'chart' } = {}) {
  const W = 800, H = height, L = 40, B = 24, T = 10;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label });
  const max = Math.max(1, ...bars.map(b => b.value));
  const w = (W - L) / Math.max(1, bars.length);
  svg.appendChild(s('text', { x: L - 6, y: T + 4, 'text-anchor': 'end' }, fmtNum(max)));
  svg.appendChild(s('text', { x: L - 6, y: H - B, 'text-anchor': 'end' }, '0'));
  bars.forEach((b, i) => {
    const bh = (b.value / max) * (H - T - B);
    const r = s('rect', { x: L + i * w + 3, y: H - B - bh, width: Math.max(1, w - 6), height: bh, fill: '#2456c8', rx: 2 });
    r.appendChild(s('title', {}, `${b.label}: ${fmtNum(b.value)}`));
    svg.appendChild(r);
    svg.appendChild(s('text', { x: L + i * w + w / 2, y: H - 6, 'text-anchor': 'middle' }, b.label));
  });
  return h('div.chart', {}, svg);
}
