import { describe, expect, it } from 'vitest';
import { escapeHtml, renderStatusPage, sectionHtml } from './html.ts';
import { buildStatusView } from './view-model.ts';

const EVIL = `<img src=x onerror="alert('x')">&amp;`;

describe('status page HTML', () => {
  it.each([
    ['plain', 'plain'],
    ['<script>', '&lt;script&gt;'],
    [`a"b'c`, 'a&quot;b&#39;c'],
    ['&amp;', '&amp;amp;'],
    [42, '42'],
  ])('escapeHtml(%s) = %s', (raw, out) => expect(escapeHtml(raw)).toBe(out));

  it('escapes every value of a section: title, note, columns, cells, tooltips, empty text', () => {
    const html = sectionHtml({
      id: 'x',
      title: EVIL,
      note: EVIL,
      columns: [EVIL],
      rows: [[{ text: EVIL, title: EVIL, tone: 'err', bar: 0.5 }]],
      empty: EVIL,
    });
    expect(html).not.toContain('<img');
    expect(html).not.toContain(`"alert`);
    expect(html.match(/&lt;img src=x onerror=&quot;alert\(&#39;x&#39;\)&quot;&gt;&amp;amp;/g)).toHaveLength(5); // title, note, column, cell text, cell tooltip
    expect(html).toContain('<progress max="1" value="0.5"></progress>');
    expect(sectionHtml({ id: 'e', title: 't', note: '', columns: ['a', 'b'], rows: [], empty: EVIL })).toContain(
      '<tr class="empty"><td colspan="2">&lt;img',
    );
  });

  it('renders a whole page from untrusted state without injecting markup', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    const view = buildStatusView({
      nowMs: now,
      connections: [{ id: EVIL, orgUrl: EVIL, flow: EVIL, tables: [EVIL], schedule: { full: EVIL, incremental: EVIL, timeZone: EVIL }, updatedAtMs: now }],
      requests: [],
      runs: [{ runId: EVIL, connection: EVIL, kind: EVIL, status: 'failed', requestedBy: EVIL, startedAtMs: now, completedAtMs: null, failedAtMs: now, loadedAtMs: null, error: { code: EVIL, message: EVIL }, reconcile: { state: 'incomplete', incomplete: [{ table: EVIL, reason: EVIL }] }, tables: [{ table: EVIL, windowsDone: 0, windowsTotal: 1, records: 0, written: null, unchanged: null, tombstoned: 0, fromMs: null, toMs: null, completedAtMs: null }] }],
      watermarks: [{ connection: EVIL, table: EVIL, watermarkMs: now, runId: EVIL, updatedAtMs: now }],
      kafka: { state: 'unavailable', message: EVIL },
      throughput: [],
    });
    const html = renderStatusPage(view);
    expect(html).not.toContain('<img');
    expect(html.split('<script>')).toHaveLength(2); // only the page's own script
    expect(html).toContain('&lt;img src=x');
    for (const id of ['s-progress', 's-runs', 's-watermarks', 's-lag', 's-dlq', 's-connections', 's-chart', 'chart-line', 'sum-lag']) expect(html).toContain(`id="${id}"`);
  });
});
