/**
 * Server-side rendering of the status page (pure): the whole page from a {@link StatusView}, every value escaped.
 * The element ids and structure match what the page's script (page-assets.ts) updates.
 */
import { CHART_PAD, type ChartView } from './chart.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.ts';
import type { Cell, Section, StatusView, SummaryItem } from './view-types.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

const tone = (t: string | undefined) => (t ? ` class="t-${escapeHtml(t)}"` : '');

function cellHtml(cell: Cell): string {
  const title = cell.title ? ` title="${escapeHtml(cell.title)}"` : '';
  const bar = typeof cell.bar === 'number' ? `<progress max="1" value="${escapeHtml(cell.bar)}"></progress> ` : '';
  return `<td${tone(cell.tone)}${title}>${bar}${escapeHtml(cell.text)}</td>`;
}

/** One section: title, note and table (an `empty` row when there are no rows). */
export function sectionHtml(s: Section): string {
  const head = s.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows =
    s.rows.length === 0
      ? `<tr class="empty"><td colspan="${s.columns.length}">${escapeHtml(s.empty)}</td></tr>`
      : s.rows.map((r) => `<tr>${r.map(cellHtml).join('')}</tr>`).join('\n');
  return `<section id="s-${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2><p class="note">${escapeHtml(s.note)}</p>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></div></section>`;
}

function summaryHtml(items: readonly SummaryItem[]): string {
  const li = (i: SummaryItem) => `<li id="sum-${escapeHtml(i.id)}"${tone(i.tone)}><span class="label">${escapeHtml(i.label)}</span><span class="value">${escapeHtml(i.value)}</span></li>`;
  return `<ul id="summary" class="summary">${items.map(li).join('')}</ul>`;
}

/** The throughput chart as inline SVG (geometry from chart.ts; only numbers in attributes). */
export function chartHtml(c: ChartView): string {
  const { left, right, top, bottom } = CHART_PAD;
  const x1 = left;
  const x2 = c.width - right;
  const y0 = c.height - bottom;
  return `<section id="s-chart"><h2>Throughput (records per second, all runs)</h2>
<svg id="chart" viewBox="0 0 ${c.width} ${c.height}" width="${c.width}" height="${c.height}" role="img" aria-labelledby="chart-caption">
<line class="axis" x1="${x1}" y1="${y0}" x2="${x2}" y2="${y0}"/><line class="axis" x1="${x1}" y1="${top}" x2="${x1}" y2="${y0}"/>
<text id="chart-ymax" x="${x1 - 4}" y="${top + 8}" text-anchor="end">${escapeHtml(c.yMaxLabel)}</text>
<text x="${x1 - 4}" y="${y0}" text-anchor="end">0</text>
<text id="chart-from" x="${x1}" y="${c.height - 3}">${escapeHtml(c.fromLabel)}</text>
<text x="${x2}" y="${c.height - 3}" text-anchor="end">now</text>
<polygon id="chart-area" points="${escapeHtml(c.area)}"/><polyline id="chart-line" points="${escapeHtml(c.line)}"/>
</svg><p id="chart-caption" class="note">${escapeHtml(c.caption)}</p></section>`;
}

/** The complete page. */
export function renderStatusPage(view: StatusView): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dynsync status</title><style>${PAGE_STYLE}</style></head>
<body><header><h1>dynsync status</h1><p class="note">Updated <span id="updated">${escapeHtml(view.generatedAt)}</span> · <span id="conn-state" class="t-muted">updates every 2 s</span> · <a href="api/status">JSON</a></p></header>
${summaryHtml(view.summary)}
${chartHtml(view.chart)}
${view.sections.map(sectionHtml).join('\n')}
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
