/**
 * Text of `dynsync status` from a {@link StatusSnapshot}: progress bars, rates, ETAs and durations, the frame a
 * terminal redraws (or `--once` prints), and the plain lines printed when stdout is not a terminal (one per table
 * or run whose counts or status changed since the previous reading). Pure: no clock, no terminal access; the
 * terminal width is an argument.
 */
import { reconcileNote } from '../contracts/run-counts.ts';
import { formatDate, formatProgress, oneLine, renderTable } from './format.ts';
import { formatCount, formatDuration, formatEta, formatRate } from '../shared/display-format.ts';
import { OUTCOME_COLUMNS, outcomeText } from './run-status.ts';
import { isRunning, type RunStatus, type StatusSnapshot, type TableStatus } from './status-snapshot.ts';

const secondsMs = (s: number | null): number | null => (s === null ? null : s * 1000);

/** A bar of `width` cells for `fraction` (0..1, rounded down; null = unknown, empty), `[████░░░░]` or `[##--]`. */
export function progressBar(fraction: number | null, width: number, unicode = true): string {
  const [full, empty] = unicode ? ['█', '░'] : ['#', '-'];
  const cells = Math.max(1, Math.floor(width));
  const filled = fraction === null ? 0 : Math.floor(Math.min(1, Math.max(0, fraction)) * cells);
  return `[${full.repeat(filled)}${empty.repeat(cells - filled)}]`;
}

/** Options of {@link renderFrame}. */
export interface FrameOptions {
  /** Terminal width: bars shrink to fit and longer lines are cut; absent (not a terminal) = 30-cell bars, no cut. */
  columns?: number;
  /** Unicode block bars (terminals) or ASCII ones. */
  unicode?: boolean;
}

const progressText = (t: Pick<TableStatus, 'windowsDone' | 'windowsTotal'>) => formatProgress(t.windowsDone ?? undefined, t.windowsTotal ?? undefined);

/** The header line of a run: id, connection, kind, status and its time. */
export function runHeadline(r: RunStatus): string {
  const who = [r.connection, r.kind].filter((x) => x !== null).join(', ');
  const head = oneLine(`${r.runId}${who ? ` (${who})` : ''}`);
  const took = formatDuration(secondsMs(r.elapsedSeconds));
  if (isRunning(r.status)) return `${head} running since ${formatDate(r.startedAt)}, elapsed ${took}`;
  if (r.status === 'failed') return `${head} failed at ${formatDate(r.failedAt)} after ${took}`;
  if (r.status === 'completed' || r.status === 'loaded') {
    const loaded = r.status === 'loaded' ? `, loaded ${formatDate(r.loadedAt)}` : ', loading into MongoDB';
    return `${head} completed ${formatDate(r.completedAt)} in ${took}${loaded}`;
  }
  return `${head} ${oneLine(r.status ?? 'status unknown')}, started ${formatDate(r.startedAt)}`;
}

/**
 * The full view of a snapshot as lines: per run a headline, its error or incomplete reconciliation, and a table of
 * its tables (bar, windows, records extracted, rate, ETA, records written, unchanged, tombstoned; a total row when
 * several), then the watermarks when present. Lines are cut to `columns`
 * when given (a terminal wraps longer lines, which would break the redraw).
 */
export function renderFrame(s: StatusSnapshot, opts: FrameOptions = {}): string[] {
  const columns = opts.columns === undefined ? Number.POSITIVE_INFINITY : Math.max(40, opts.columns);
  const barWidth = Math.min(30, Math.max(10, columns - 100));
  const lines: string[] = [];
  for (const r of s.runs) {
    lines.push(runHeadline(r));
    if (r.error !== null) lines.push(`  error: ${oneLine(r.error)}`);
    const reconcile = reconcileNote(r.reconcile);
    if (reconcile !== null) lines.push(`  ${oneLine(reconcile)}`);
    const rows: (TableStatus & { total?: boolean })[] = r.tables.length > 1 ? [...r.tables, { ...r, table: 'total', total: true }] : [...r.tables];
    if (rows.length === 0 && !isRunning(r.status)) continue;
    if (rows.length === 0) rows.push({ ...r, table: '(no table yet)' });
    const table = renderTable(
      rows,
      [
        { header: 'TABLE', value: (t) => t.table },
        { header: 'PROGRESS', value: (t) => progressBar(t.fraction, barWidth, opts.unicode ?? true) },
        { header: 'WINDOWS', value: progressText, right: true },
        { header: 'RECORDS', value: (t) => formatCount(t.records ?? undefined), right: true },
        { header: 'RATE', value: (t) => formatRate(t.recordsPerSec), right: true },
        { header: 'ETA', value: (t) => formatEta(secondsMs(t.etaSeconds)), right: true },
        ...OUTCOME_COLUMNS,
      ],
      '  ',
    );
    lines.push(...table.trimEnd().split('\n'));
  }
  if (s.watermarks !== undefined) {
    if (s.watermarks.length === 0) lines.push('No watermark yet: no run has completed a table.');
    else {
      lines.push('Watermarks:');
      const table = renderTable(s.watermarks, [
        { header: 'CONNECTION', value: (m) => m.connection },
        { header: 'TABLE', value: (m) => m.table },
        { header: 'WATERMARK', value: (m) => formatDate(m.watermark) },
        { header: 'RUN', value: (m) => m.runId ?? '-' },
        { header: 'UPDATED', value: (m) => formatDate(m.updatedAt) },
      ], '  ');
      lines.push(...table.trimEnd().split('\n'));
    }
  }
  return lines.map((l) => (l.length > columns ? l.slice(0, columns) : l));
}

type Counted = Omit<TableStatus, 'table'>;
const COUNTED = ['windowsDone', 'windowsTotal', 'records', 'written', 'unchanged', 'tombstoned'] as const;
const sameCounts = (a: Counted | undefined, b: Counted) => a !== undefined && COUNTED.every((k) => a[k] === b[k]);

function progressLine(t: Counted): string {
  return `windows ${progressText(t)} records ${formatCount(t.records ?? undefined)} rate ${formatRate(t.recordsPerSec)} eta ${formatEta(secondsMs(t.etaSeconds))} ${outcomeText(t)}`;
}

/**
 * Plain lines for a non-terminal stdout: for every table whose counts changed since `prev` (all of them on the
 * first reading) `<time> <run> <table> windows d/t (p%) records n rate r/s eta e written w unchanged u tombstoned t`,
 * then for a run whose counts or status changed `<time> <run> <status> ...` (a finished run: its duration, and its
 * error when it failed).
 */
export function changeLines(prev: StatusSnapshot | undefined, next: StatusSnapshot): string[] {
  const at = formatDate(next.at);
  const lines: string[] = [];
  for (const r of next.runs) {
    const before = prev?.runs.find((p) => p.runId === r.runId);
    for (const t of r.tables) {
      if (!sameCounts(before?.tables.find((b) => b.table === t.table), t)) lines.push(`${at} ${oneLine(r.runId)} ${oneLine(t.table)} ${progressLine(t)}`);
    }
    if (before && sameCounts(before, r) && before.status === r.status) continue;
    const status = oneLine(r.status ?? 'unknown');
    const id = oneLine(r.runId);
    if (isRunning(r.status) || r.status === null) lines.push(`${at} ${id} ${status} ${progressLine(r)}`);
    else {
      const took = formatDuration(secondsMs(r.elapsedSeconds));
      lines.push(`${at} ${id} ${status} windows ${progressText(r)} records ${formatCount(r.records ?? undefined)} in ${took} ${outcomeText(r)}${r.error === null ? '' : ` error ${oneLine(r.error)}`}`);
    }
  }
  return lines;
}
