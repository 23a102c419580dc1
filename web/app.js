/*
 * app.js - the web app's script: fills the model and system lists (ops "models" and
 * "systems"), runs a search (op "default") and shows its summary, Pareto chart (inline SVG
 * with a hover box per point) and top configurations, and runs one estimate (op "estimate")
 * with its memory and per-op breakdown. Every call goes to POST /api; errors from the API
 * ({"ok": false, "error": {code, message}}) are shown in the red box.
 */
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

/* ---- small helpers ----------------------------------------------------------------- */

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : String(k));
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function fmt(v, digits = 2) {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: false });
}

function gib(bytes) {
  return bytes === null || bytes === undefined ? '-' : (bytes / 2 ** 30).toFixed(2) + ' GiB';
}

function showError(err) {
  const box = $('error');
  box.textContent = err ? String(err.message || err) : '';
  box.hidden = !err;
}

/* POSTs one request to the JSON API; resolves with the response, throws on !ok. */
async function api(req) {
  let resp;
  try {
    resp = await fetch('/api', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(req),
    });
  } catch (e) {
    throw new Error('cannot reach the server: ' + e.message);
  }
  let doc;
  try {
    doc = await resp.json();
  } catch (e) {
    throw new Error(`server answered ${resp.status} without JSON`);
  }
  if (!doc.ok) {
    const er = doc.error || {};
    throw new Error(`${er.code || 'error'}: ${er.message || 'HTTP ' + resp.status}`);
  }
  return doc;
}

/* The form's non-empty, enabled fields; numbers as numbers. */
function formRequest(form, op) {
  const req = { op };
  for (const f of form.elements) {
    /* :disabled also covers fields of a disabled fieldset (the other estimate mode's) */
    if (!f.name || f.value === '' || f.matches(':disabled')) continue;
    req[f.name] = f.type === 'number' ? Number(f.value) : f.value;
  }
  return req;
}

function table(cols, rows, rowClass) {
  const head = el('tr', {}, ...cols.map((c) => el('th', { class: c.text ? 'text' : '' }, c.label)));
  const body = rows.map((r, i) => {
    const tr = el('tr', { class: rowClass ? rowClass(r, i) : '' });
    for (const c of cols) {
      const v = c.get ? c.get(r, i) : r[c.key];
      tr.append(el('td', { class: (c.text ? 'text ' : '') + (c.cls ? c.cls(r) : '') }, v instanceof Node ? v : fmt(v, c.digits)));
    }
    return tr;
  });
  return el('table', {}, el('thead', {}, head), el('tbody', {}, ...body));
}

function kvTable(pairs) {
  return el('table', { class: 'kv' }, el('tbody', {}, ...pairs.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v)))));
}

/* ---- tabs and lists ---------------------------------------------------------------- */

function selectTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const p of document.querySelectorAll('.pane')) p.hidden = p.id !== 'pane-' + name;
  showError(null);
}

async function loadLists() {
  const [models, systems, version] = await Promise.all([
    api({ op: 'models' }), api({ op: 'systems' }), api({ op: 'version' })]);
  $('version').textContent = 'v' + version.result.version;
  const dl = $('models');
  for (const m of models.result.models) dl.append(el('option', { value: m }));
  for (const sel of document.querySelectorAll('select.systems')) {
    for (const s of systems.result.systems) {
      const o = el('option', { value: s.name }, s.name);
      if (s.name === 'h200_sxm') o.selected = true;
      sel.append(o);
    }
  }
}

/* ---- search: summary, chart, tables ------------------------------------------------- */

const MODE_COLORS = { agg: '#1f77b4', disagg: '#ff7f0e' };

function rowLayout(r) {
  if ('(p)parallel' in r) {
    return `${r['(p)workers']}x prefill ${r['(p)parallel']} bs${r['(p)bs']} + ` +
      `${r['(d)workers']}x decode ${r['(d)parallel']} bs${r['(d)bs']}`;
  }
  return `${r.parallel} bs${r.bs}` + (r.replicas ? ` x${r.replicas}` : '');
}

function renderSummary(doc) {
  const r = doc.result;
  const pairs = [
    ['Model', r.request.model], ['System', r.request.system], ['Backend', r.request.backend +
      ' ' + Object.values(r.versions || {}).join(', ')],
    ['Database mode', r.request.database_mode], ['Total GPUs', fmt(r.request.total_gpus)],
    ['Chosen serving mode', r.best || 'none meets the SLA'],
  ];
  if (r.ratio !== null && r.ratio !== undefined) pairs.push(['disagg / agg tokens/s/gpu', fmt(r.ratio, 3)]);
  for (const [name, e] of Object.entries(r.experiments)) {
    const best = e.top && e.top[0];
    pairs.push([`${name}: best`, best ? `${rowLayout(best)}: ${fmt(best['tokens/s/gpu'])} tokens/s/gpu, ` +
      `${fmt(best['tokens/s/user'])} tokens/s/user` : (e.note || 'no configuration')]);
  }
  const box = $('summary');
  box.replaceChildren(kvTable(pairs));
  const warns = (doc.warnings || []).concat(r.warnings || []);
  if (warns.length) box.append(el('ul', { class: 'warnings' }, ...warns.map((w) => el('li', {}, w))));
}

function renderTables(doc) {
  const out = $('tables');
  out.replaceChildren();
  for (const [name, e] of Object.entries(doc.result.experiments)) {
    out.append(el('h2', {}, `${name}: top configurations`));
    if (!e.top || !e.top.length) {
      out.append(el('p', { class: 'muted' }, e.note || 'no configuration meets the SLA'));
      continue;
    }
    const cols = [
      { label: '#', get: (r, i) => i + 1 },
      { label: 'configuration', text: true, get: rowLayout },
      { label: 'tokens/s/gpu', key: 'tokens/s/gpu' },
      { label: 'tokens/s/user', key: 'tokens/s/user' },
      { label: 'TTFT ms', key: 'ttft' },
      { label: 'TPOT ms', key: 'tpot' },
      { label: 'concurrency', key: 'concurrency' },
      { label: 'GPUs', key: 'num_total_gpus' },
      { label: 'memory GiB', get: (r) => r.memory ?? r['(d)memory'] },
      { label: 'meets SLA', key: 'meets_sla', cls: (r) => (r.meets_sla ? '' : 'fail') },
    ];
    out.append(table(cols, e.top, (r, i) => (i === 0 && name === doc.result.best ? 'best' : '')));
  }
}

function niceTicks(max) {
  const raw = max / 5, p = 10 ** Math.floor(Math.log10(raw || 1)), m = raw / p;
  const step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  const ticks = [];
  for (let t = 0; t <= max + 1e-9; t += step) ticks.push(t);
  return ticks;
}

function pointText(mode, r) {
  return [`${mode}: ${rowLayout(r)}`,
    `tokens/s/gpu   ${fmt(r['tokens/s/gpu'])}`, `tokens/s/user  ${fmt(r['tokens/s/user'])}`,
    `TTFT ms        ${fmt(r.ttft)}`, `TPOT ms        ${fmt(r.tpot)}`,
    `request ms     ${fmt(r.request_latency)}`, `concurrency    ${fmt(r.concurrency)}`,
    `GPUs           ${fmt(r.num_total_gpus)}`, `meets SLA      ${fmt(r.meets_sla)}`].join('\n');
}

function renderChart(doc) {
  const res = doc.result, byLatency = res.request.request_latency !== null && res.request.request_latency !== undefined;
  const xKey = byLatency ? 'request_latency' : 'tokens/s/user';
  const W = 820, H = 460, L = 70, T = 20, PW = W - L - 30, PH = H - T - 60;
  const series = Object.entries(res.experiments).filter(([, e]) => e.pareto && e.pareto.length);
  let xmax = 0, ymax = 0;
  for (const [, e] of series) for (const r of e.pareto) { xmax = Math.max(xmax, r[xKey]); ymax = Math.max(ymax, r['tokens/s/gpu']); }
  xmax = xmax > 0 ? xmax * 1.1 : 1; ymax = ymax > 0 ? ymax * 1.15 : 1;
  const px = (x) => L + (x / xmax) * PW, py = (y) => T + PH - (y / ymax) * PH;
  const root = svg('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Pareto frontier' });
  for (const t of niceTicks(xmax)) {
    root.append(svg('line', { class: 'grid', x1: px(t), x2: px(t), y1: T, y2: T + PH }));
    const lab = svg('text', { x: px(t), y: T + PH + 16, 'text-anchor': 'middle' }); lab.textContent = fmt(t, 1); root.append(lab);
  }
  for (const t of niceTicks(ymax)) {
    root.append(svg('line', { class: 'grid', x1: L, x2: L + PW, y1: py(t), y2: py(t) }));
    const lab = svg('text', { x: L - 6, y: py(t) + 4, 'text-anchor': 'end' }); lab.textContent = fmt(t, 1); root.append(lab);
  }
  root.append(svg('line', { class: 'axis', x1: L, x2: L + PW, y1: T + PH, y2: T + PH }));
  root.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: T + PH }));
  const xl = svg('text', { x: L + PW / 2, y: H - 18, 'text-anchor': 'middle' }); xl.textContent = byLatency ? 'request latency (ms)' : 'tokens/s/user'; root.append(xl);
  const yl = svg('text', { x: 16, y: T + PH / 2, 'text-anchor': 'middle', transform: `rotate(-90 16 ${T + PH / 2})` }); yl.textContent = 'tokens/s/gpu'; root.append(yl);
  const tip = $('tooltip');
  let ly = T + 14;
  for (const [mode, e] of series) {
    const color = MODE_COLORS[mode] || '#555';
    const pts = e.pareto.slice().sort((a, b) => a[xKey] - b[xKey]);
    root.append(svg('polyline', { fill: 'none', stroke: color, 'stroke-width': 2, points: pts.map((r) => `${px(r[xKey])},${py(r['tokens/s/gpu'])}`).join(' ') }));
    for (const r of pts) {
      const c = svg('circle', { class: 'pt', cx: px(r[xKey]), cy: py(r['tokens/s/gpu']), r: 5, fill: color, 'data-mode': mode });
      c.addEventListener('mouseenter', (ev) => {
        tip.textContent = pointText(mode, r); tip.hidden = false;
        tip.style.left = ev.pageX + 14 + 'px'; tip.style.top = ev.pageY + 10 + 'px';
      });
      c.addEventListener('mouseleave', () => { tip.hidden = true; });
      root.append(c);
    }
    root.append(svg('rect', { x: L + PW - 110, y: ly - 9, width: 12, height: 12, fill: color }));
    const lg = svg('text', { x: L + PW - 92, y: ly + 1 }); lg.textContent = mode; root.append(lg);
    ly += 18;
  }
  const best = res.best && res.experiments[res.best] && res.experiments[res.best].top[0];
  if (best) root.append(svg('circle', { cx: px(best[xKey]), cy: py(best['tokens/s/gpu']), r: 9, fill: 'none', stroke: '#d62728', 'stroke-width': 2 }));
  if (!series.length) {
    const t = svg('text', { x: L + PW / 2, y: T + PH / 2, 'text-anchor': 'middle' }); t.textContent = 'no Pareto points'; root.append(t);
  }
  $('chart').replaceChildren(root);
}

function svgLink(req) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(req)) if (k !== 'op' && k !== 'top_n') q.set(k, v);
  return '/api/pareto.svg?' + q.toString();
}

async function runForm(form, op, busyId, render) {
  const btn = form.querySelector('button[type=submit]');
  showError(null);
  btn.disabled = true; $(busyId).hidden = false;
  try {
    const req = formRequest(form, op);
    if (op === 'estimate') req.detail = true; /* the per-op breakdown */
    render(await api(req), req);
  } catch (e) {
    showError(e);
  } finally {
    btn.disabled = false; $(busyId).hidden = true;
  }
}

function renderSearch(doc, req) {
  renderSummary(doc);
  renderChart(doc);
  renderTables(doc);
  $('svg-link').href = svgLink(req);
  $('search-result').hidden = false;
}

/* ---- estimate ------------------------------------------------------------------------ */

const EST_FIELDS = [
  ['TTFT', 'ttft_ms', ' ms'], ['TPOT', 'tpot_ms', ' ms'], ['Request latency', 'request_latency_ms', ' ms'],
  ['Tokens/s', 'tokens_per_s', ''], ['Tokens/s/gpu', 'tokens_per_s_per_gpu', ''],
  ['Tokens/s/user', 'tokens_per_s_per_user', ''], ['Requests/s', 'requests_per_s', ''],
  ['Concurrency', 'concurrency', ''], ['GPUs', 'num_gpus', ''],
];

function renderEstimate(doc) {
  const r = doc.result;
  const pairs = [['Model', r.model_config ? `${r.model} (config of bundled ${r.model_config})` : r.model],
    ['System', r.system],
    ['Backend', `${r.backend} ${r.backend_version || ''}`],
    ['Database mode', r.database_mode + (r.fell_back_to_empirical ? ' (fell back: no perf data)' : '')],
    ['Mode', r.mode]];
  if (r.prefill && r.decode) {
    for (const [label, w] of [['Prefill workers', r.prefill], ['Decode workers', r.decode]])
      pairs.push([label, `${w.num_workers} x ${w.name}, batch ${w.batch_size}`]);
  } else {
    pairs.push(['Layout', r.layout ? r.layout.name + (r.layout.moe_a2a === 'deepep' ? ' (DeepEP)' : '') : '-']);
  }
  for (const [label, key, unit] of EST_FIELDS) if (key in r) pairs.push([label, fmt(r[key]) + unit]);
  pairs.push(['Fits in memory', r.oom ? 'NO (out of memory)' : 'yes']);
  for (const [label, phase] of [['Prefill sources', 'prefill'], ['Decode sources', 'decode']]) {
    const s = (r.provenance || {})[phase];
    if (s) pairs.push([label, Object.entries(s).filter(([, v]) => v >= 0.005)
      .map(([k, v]) => `${k} ${fmt(v * 100, 0)} %`).join(', ') || '-']);
  }
  const box = $('est-summary');
  box.replaceChildren(kvTable(pairs));
  if (doc.warnings && doc.warnings.length) box.append(el('ul', { class: 'warnings' }, ...doc.warnings.map((w) => el('li', {}, w))));
  const m = r.memory || {};
  const memRows = Object.entries(m).filter(([k]) => k.endsWith('_bytes'))
    .map(([k, v]) => [k.replace(/_bytes$/, ''), gib(v)]);
  if ('kv_bytes_per_token' in m) memRows.push(['KV cache per token', fmt(m.kv_bytes_per_token / 1e3, 1) + ' KB']);
  if ('max_batch' in m) memRows.push(['KV room (requests per rank)', fmt(m.max_batch)]);
  $('est-memory').replaceChildren(kvTable(memRows));
  const TTFT_PARTS = { overhead: 'serving overhead (HTTP, tokenizer, streaming)', scheduler: 'scheduler-loop iterations',
    queue: "other requests' prefills queued ahead", prefill: 'own prefill', dp_balance: 'attention-DP balancing hold',
    kv_wait: 'waiting for KV-cache room', kv_transfer: 'KV-cache transfer to the decode worker',
    kv_handoff: 'KV handoff (decode-worker iterations)', stream: "front end streaming others' tokens" };
  $('est-ttft').replaceChildren(kvTable(Object.entries(r.ttft_breakdown_ms || {}).filter(([, v]) => v > 0)
    .map(([k, v]) => [TTFT_PARTS[k] || k, fmt(v) + ' ms'])));
  const bd = $('est-breakdown');
  bd.replaceChildren();
  for (const [phase, ops] of Object.entries(r.breakdown || {})) {
    if (!Array.isArray(ops)) continue;
    bd.append(el('h3', {}, phase));
    bd.append(table([
      { label: 'op', key: 'op', text: true },
      { label: 'ms', key: 'ms', digits: 4 },
      { label: 'share', get: (o) => el('span', {}, el('span', { class: 'bar', title: fmt(o.share * 100, 1) + '%' }), ' ' + fmt(o.share * 100, 1) + '%') },
      { label: 'source', key: 'source', text: true },
    ], ops));
  }
  for (const b of bd.querySelectorAll('.bar')) b.style.width = b.title.replace('%', '') * 1.5 + 'px';
  $('estimate-result').hidden = false;
}

/* Shows the layout fields of the chosen estimate mode; the others are disabled (not sent). */
function syncEstimateMode() {
  const disagg = document.querySelector('#estimate-form select[name=estimate_mode]').value === 'disagg';
  for (const [id, on] of [['est-agg-layout', !disagg], ['est-disagg-layout', disagg]]) {
    $(id).hidden = !on;
    $(id).disabled = !on;
  }
}

/* ---- start --------------------------------------------------------------------------- */

document.addEventListener('DOMContentLoaded', () => {
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => selectTab(b.dataset.tab));
  $('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); runForm(ev.target, 'default', 'search-busy', renderSearch); });
  $('estimate-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    runForm(ev.target, 'estimate', 'estimate-busy', (doc) => renderEstimate(doc));
  });
  document.querySelector('#estimate-form select[name=estimate_mode]').addEventListener('change', syncEstimateMode);
  syncEstimateMode();
  loadLists().catch(showError);
});
