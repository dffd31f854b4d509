/**
 * The page's inline style sheet and script (static text, no external assets: the page must work offline). The
 * script polls `api/status` every 2 s and re-renders the summary, chart and sections with DOM text nodes, so no
 * value from the server is ever parsed as HTML. The server allows exactly these two blocks by their hashes
 * (Content-Security-Policy), so nothing else can run.
 */

/** The style sheet (the content of the page's only `<style>`). */
export const PAGE_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 2rem;color:#1d232b;background:#f7f8fa}
header{display:flex;align-items:baseline;gap:1rem;flex-wrap:wrap}
h1{font-size:1.3rem;margin:1rem 0 .2rem}h2{font-size:1.05rem;margin:1.4rem 0 .2rem}
.note{margin:.1rem 0 .4rem;color:#5b6470}
.summary{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.6rem 0}
.summary li{background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:.35rem .7rem}
.summary .label{color:#5b6470;margin-right:.4rem}.summary .value{font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;min-width:40%}
th,td{border:1px solid #d9dde3;padding:.25rem .5rem;text-align:left;white-space:nowrap;vertical-align:top}
th{background:#eef0f3;font-weight:600}
td.t-err{white-space:normal;max-width:40rem}
tr.empty td{color:#5b6470;font-style:italic}
progress{width:5rem;vertical-align:middle}
.t-ok{color:#116329}.t-info{color:#0b5cad}.t-warn{color:#9a5b00}.t-err{color:#b3261e}.t-muted{color:#6b7480}
svg{background:#fff;border:1px solid #d9dde3;border-radius:6px;max-width:100%;height:auto}
svg .axis{stroke:#9aa3ad;stroke-width:1}svg text{font-size:10px;fill:#5b6470}
#chart-line{fill:none;stroke:#0b5cad;stroke-width:1.5}#chart-area{fill:#0b5cad;fill-opacity:.12;stroke:none}
`;

/** The script (the content of the page's only `<script>`). Plain ES5-level JavaScript. */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var POLL_MS = 2000;
  function el(tag, cls) { var e = document.createElement(tag); if (cls) e.className = cls; return e; }
  function text(id, value) { var e = document.getElementById(id); if (e) e.textContent = value; }
  function points(id, value) { var e = document.getElementById(id); if (e) e.setAttribute('points', value); }
  function fillCell(td, cell) {
    if (typeof cell.bar === 'number') {
      var p = el('progress'); p.max = 1; p.value = cell.bar;
      td.appendChild(p); td.appendChild(document.createTextNode(' '));
    }
    td.appendChild(document.createTextNode(cell.text));
    if (cell.tone) td.className = 't-' + cell.tone;
    if (cell.title) td.title = cell.title;
  }
  function renderSection(s) {
    var root = document.getElementById('s-' + s.id);
    if (!root) return;
    root.querySelector('.note').textContent = s.note;
    var body = el('tbody');
    if (s.rows.length === 0) {
      var tr = el('tr', 'empty'); var td = el('td');
      td.colSpan = s.columns.length; td.textContent = s.empty; tr.appendChild(td); body.appendChild(tr);
    }
    s.rows.forEach(function (row) {
      var tr = el('tr');
      row.forEach(function (cell) { var td = el('td'); fillCell(td, cell); tr.appendChild(td); });
      body.appendChild(tr);
    });
    var old = root.querySelector('tbody');
    old.parentNode.replaceChild(body, old);
  }
  function renderSummary(items) {
    items.forEach(function (i) {
      var li = document.getElementById('sum-' + i.id);
      if (!li) return;
      li.className = i.tone ? 't-' + i.tone : '';
      li.querySelector('.value').textContent = i.value;
    });
  }
  function render(view) {
    renderSummary(view.summary);
    points('chart-line', view.chart.line); points('chart-area', view.chart.area);
    text('chart-ymax', view.chart.yMaxLabel); text('chart-from', view.chart.fromLabel); text('chart-caption', view.chart.caption);
    view.sections.forEach(renderSection);
    text('updated', view.generatedAt);
  }
  function state(ok, message) { var e = document.getElementById('conn-state'); e.textContent = message; e.className = ok ? 't-ok' : 't-err'; }
  function poll() {
    fetch('api/status', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (view) { render(view); state(true, 'live'); })
      .catch(function (err) { state(false, 'disconnected (' + (err && err.message ? err.message : String(err)) + '), retrying'); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  setTimeout(poll, POLL_MS);
})();
`;
