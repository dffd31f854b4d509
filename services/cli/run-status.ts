/**
 * Reading the coordinator's state documents for `dynsync runs` and `dynsync watermarks`, tolerantly: the
 * coordinator is younger than this CLI, so any field may be missing or of an unexpected type, and is then shown
 * as unknown rather than failing. Pure.
 */
import { countOf, reconcileOutcome, tableCounts, totalOutcome, type ReconcileOutcome, type RecordOutcome, type TableCounts } from '../shared/run-counts.ts';
import type { LoadCounts } from '../shared/run-loads.ts';
import { formatCount, toDate, type TableColumn } from './format.ts';

/** The columns of what a run did to the records it extracted: written, unchanged, tombstoned (`-`: not known yet). */
export const OUTCOME_COLUMNS: readonly TableColumn<RecordOutcome>[] = [
  { header: 'WRITTEN', value: (r) => formatCount(r.written), right: true },
  { header: 'UNCHANGED', value: (r) => formatCount(r.unchanged), right: true },
  { header: 'TOMBSTONED', value: (r) => formatCount(r.tombstoned), right: true },
];

/** The same as words: `written 10 unchanged 990 tombstoned 0`. */
export const outcomeText = (r: RecordOutcome): string => OUTCOME_COLUMNS.map((c) => `${c.header.toLowerCase()} ${c.value(r)}`).join(' ');

/** Per-table progress of a run; `records` are the records extracted. */
export interface RunTableView extends RecordOutcome {
  table: string;
  windowsDone: number | undefined;
  windowsTotal: number | undefined;
  records: number | undefined;
}

/** A run as the CLI shows it. */
export interface RunView extends RecordOutcome {
  runId: string;
  connection: string | undefined;
  kind: string | undefined;
  status: string | undefined;
  startedAt: Date | undefined;
  completedAt: Date | undefined;
  failedAt: Date | undefined;
  loadedAt: Date | undefined;
  /** `code: message` of a failed run. */
  error: string | undefined;
  tables: RunTableView[];
  /** Sums over the tables (undefined when no table reports the field). */
  windowsDone: number | undefined;
  windowsTotal: number | undefined;
  records: number | undefined;
  /** The delete reconciliation of a full run (state and the reasons of an incomplete one). */
  reconcile: ReconcileOutcome;
}

/** A table's watermark. */
export interface WatermarkView {
  table: string;
  watermark: Date | undefined;
  runId: string | undefined;
  updatedAt: Date | undefined;
}

const num = (v: unknown): number | undefined => countOf(v) ?? undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const sum = (vals: (number | undefined)[]): number | undefined => (vals.some((x) => x !== undefined) ? vals.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined);

/**
 * The per-table entries of a run, in either shape: an array `[{table, ...}]` or an object keyed by table name
 * (`{account: {...}}`), sorted by table name in the latter case. Anything else gives no entries.
 */
function tableEntries(raw: unknown): [string, Record<string, unknown>][] {
  const isObj = (t: unknown): t is Record<string, unknown> => typeof t === 'object' && t !== null && !Array.isArray(t);
  if (Array.isArray(raw)) return raw.filter(isObj).map((t) => [text(t.table) ?? '?', t]);
  if (isObj(raw)) return Object.entries(raw).filter((e): e is [string, Record<string, unknown>] => isObj(e[1])).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [];
}

const outcome = (c: TableCounts): RecordOutcome => ({ written: c.written, unchanged: c.unchanged, tombstoned: c.tombstoned });

/** A `runs` document → {@link RunView}; `loads` are the loader's counts of the run by table (`run_loads`). */
export function normalizeRun(doc: Record<string, unknown>, loads?: ReadonlyMap<string, LoadCounts>): RunView {
  const entries = tableEntries(doc.tables);
  const counts = entries.map(([name, t]) => tableCounts(doc, name, t, loads));
  const tables = entries.map(([name, t], i) => ({ table: name, windowsDone: num(t.windowsDone), windowsTotal: num(t.windowsTotal), records: num(t.records), ...outcome(counts[i]!) }));
  const error = typeof doc.error === 'object' && doc.error !== null ? (doc.error as Record<string, unknown>) : undefined;
  return {
    runId: text(doc._id) ?? text(doc.runId) ?? String(doc._id ?? '?'),
    connection: text(doc.connection),
    kind: text(doc.kind),
    status: text(doc.status),
    startedAt: toDate(doc.startedAt),
    completedAt: toDate(doc.completedAt),
    failedAt: toDate(doc.failedAt),
    loadedAt: toDate(doc.loadedAt),
    error: error ? [text(error.code), text(error.message)].filter(Boolean).join(': ') || undefined : undefined,
    tables,
    windowsDone: sum(tables.map((t) => t.windowsDone)),
    windowsTotal: sum(tables.map((t) => t.windowsTotal)),
    records: sum(tables.map((t) => t.records)),
    ...totalOutcome(counts.map(outcome)),
    reconcile: reconcileOutcome(doc),
  };
}

/** A `watermarks` document (`_id` = `<connection>/<table>`) → {@link WatermarkView}. */
export function normalizeWatermark(doc: Record<string, unknown>, connection: string): WatermarkView {
  const id = String(doc._id ?? '');
  const prefix = `${connection}/`;
  return {
    table: text(doc.table) ?? (id.startsWith(prefix) ? id.slice(prefix.length) : id),
    watermark: toDate(doc.watermark),
    runId: text(doc.runId),
    updatedAt: toDate(doc.updatedAt),
  };
}

/** The `_id` range of a connection's watermarks: `[<connection>/, <connection>0)` ('0' follows '/'). */
export function watermarkIdRange(connection: string): { $gte: string; $lt: string } {
  return { $gte: `${connection}/`, $lt: `${connection}0` };
}
