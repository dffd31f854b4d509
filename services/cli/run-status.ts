/**
 * The coordinator's state documents as `dynsync runs`, `status` and `watermarks` show them: read by
 * contracts/run-document.ts (a field missing or of an unexpected type is unknown), with dates and sums. Pure.
 */
import { totalOutcome, type ReconcileOutcome, type RecordOutcome } from '../contracts/run-counts.ts';
import { readRun, readWatermark } from '../contracts/run-document.ts';
import type { LoadCounts } from '../contracts/run-loads.ts';
import { type TableColumn } from './format.ts';
import { formatCount } from '../shared/display-format.ts';

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

const orUndefined = <T>(v: T | null): T | undefined => v ?? undefined;
const dateOf = (ms: number | null): Date | undefined => (ms === null ? undefined : new Date(ms));
const sum = (vals: (number | undefined)[]): number | undefined => (vals.some((x) => x !== undefined) ? vals.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined);

/** A `runs` document → {@link RunView}; `loads` are the loader's counts of the run by table (`run_loads`). */
export function normalizeRun(doc: Record<string, unknown>, loads?: ReadonlyMap<string, LoadCounts>): RunView {
  const run = readRun(doc, loads);
  const tables = run.tables.map((t) => ({
    table: t.table,
    windowsDone: orUndefined(t.windowsDone),
    windowsTotal: orUndefined(t.windowsTotal),
    records: orUndefined(t.records),
    written: t.written,
    unchanged: t.unchanged,
    tombstoned: t.tombstoned,
  }));
  return {
    runId: run.runId,
    connection: orUndefined(run.connection),
    kind: orUndefined(run.kind),
    status: orUndefined(run.status),
    startedAt: dateOf(run.startedAtMs),
    completedAt: dateOf(run.completedAtMs),
    failedAt: dateOf(run.failedAtMs),
    loadedAt: dateOf(run.loadedAtMs),
    error: run.error ? [run.error.code, run.error.message].filter(Boolean).join(': ') || undefined : undefined,
    tables,
    windowsDone: sum(tables.map((t) => t.windowsDone)),
    windowsTotal: sum(tables.map((t) => t.windowsTotal)),
    records: sum(tables.map((t) => t.records)),
    ...totalOutcome(tables),
    reconcile: run.reconcile,
  };
}

/** A `watermarks` document (`_id` = `<connection>/<table>`) → {@link WatermarkView}. */
export function normalizeWatermark(doc: Record<string, unknown>): WatermarkView {
  const w = readWatermark(doc);
  return { table: w.table, watermark: dateOf(w.watermarkMs), runId: orUndefined(w.runId), updatedAt: dateOf(w.updatedAtMs) };
}
