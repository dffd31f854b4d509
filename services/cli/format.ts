/**
 * Text output of the CLI: aligned plain-text tables, dates, durations and counts. Pure (no clock, no I/O): the
 * same input always gives the same text, which the unit tests pin.
 */

/** A column of {@link renderTable}. */
export interface TableColumn<R> {
  header: string;
  value: (row: R) => string;
  /** Right-align (numbers). */
  right?: boolean;
}

/**
 * Renders rows as an aligned table: a header line, then one line per row, columns separated by two spaces,
 * trailing spaces trimmed. An empty row list gives the header only.
 */
export function renderTable<R>(rows: readonly R[], columns: readonly TableColumn<R>[], indent = ''): string {
  const cells = rows.map((r) => columns.map((c) => oneLine(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: readonly string[]) =>
    indent +
    values
      .map((v, i) => (columns[i]?.right ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** Control characters and newlines would break the table (and could spoof output): shown escaped (`\x1b`). */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A date as `YYYY-MM-DD HH:MM:SSZ` (UTC); strings are parsed; missing or invalid values give `-`. */
export function formatDate(value: unknown): string {
  const d = toDate(value);
  return d ? `${d.toISOString().slice(0, 19).replace('T', ' ')}Z` : '-';
}

/** A Date from a Date, an ISO string or epoch milliseconds; undefined otherwise. */
export function toDate(value: unknown): Date | undefined {
  const d = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/** A clock skew in words: `+1.5 s (server ahead)`, `-0.2 s (server behind)`, `0.0 s`. */
export function formatSkew(ms: number): string {
  const s = (Math.abs(ms) / 1000).toFixed(1);
  if (s === '0.0') return '0.0 s';
  return ms > 0 ? `+${s} s (server ahead)` : `-${s} s (server behind)`;
}

/** `done/total (pct%)`; `-` when the total is unknown or zero windows are planned yet. */
export function formatProgress(done: number | undefined, total: number | undefined): string {
  if (total === undefined || total <= 0) return done === undefined ? '-' : `${done}/?`;
  const d = done ?? 0;
  return `${d}/${total} (${Math.floor((Math.min(d, total) / total) * 100)}%)`;
}

/** JSON for `--json` output: two-space indent, Dates as ISO strings, trailing newline. */
export function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
